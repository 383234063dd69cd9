package io.xregion.testing;

/**
 * An event signature made by code other than ours: the vector Microsoft's own Web PubSub SDKs for .NET test their
 * validators with (Azure/azure-sdk-for-net, {@code sdk/webpubsub/Microsoft.Azure.WebPubSub.AspNetCore/tests/
 * ServiceRequestTests.cs} {@code TestSignatureCheck}, which expects it valid for this key and invalid for another,
 * and {@code Microsoft.Azure.WebJobs.Extensions.WebPubSub/tests/WebPubSubTriggerDispatcherTests.cs}). The service
 * sends {@code ce-signature: sha256=<hex HMAC-SHA256 of the connection id keyed with the access key>}, one value per
 * key, comma-separated (Microsoft's "CloudEvents extension for Azure Web PubSub event handler" page).
 */
public final class PublishedEventSignature {

    public static final String CONNECTION_ID = "0f9c97a2f0bf4706afe87a14e0797b11";
    public static final String ACCESS_KEY = "7aab239577fd4f24bc919802fb629f5f";
    public static final String SIGNATURE = "sha256=7767effcb3946f3e1de039df4b986ef02c110b1469d02c0a06f41b3b727ab561";

    private PublishedEventSignature() {
    }
}
