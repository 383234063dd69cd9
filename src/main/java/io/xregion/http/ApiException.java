package io.xregion.http;

/**
 * A request the API refuses, with the HTTP status and a stable error code; the message is returned to the caller,
 * so it must describe the input, never a secret.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Integer retryAfterSeconds;
    private final String challenge;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, Integer retryAfterSeconds) {
        this(status, code, message, retryAfterSeconds, null);
    }

    private ApiException(int status, String code, String message, Integer retryAfterSeconds, String challenge) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.challenge = challenge;
    }

    /** 401 with the WWW-Authenticate challenge that tells the caller how to authenticate. */
    public static ApiException unauthorized(String code, String message, String challenge) {
        return new ApiException(401, code, message, null, challenge);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The WWW-Authenticate value of a 401, else null. */
    public String challenge() {
        return challenge;
    }

    /** The JSON body to answer with; subclasses may add details. */
    public Object body() {
        return ApiErrors.errorBody(code, getMessage());
    }
}
