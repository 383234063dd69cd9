package io.xregion.servicebus;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Whether a namespace answers AMQP: a connection to its AMQP port (TLS first where the SDK speaks TLS), then the
 * AMQP 1.0 SASL protocol header, which the namespace must answer with its own header within the timeout. A TCP
 * connection alone is not enough: a namespace behind a network partition (packets dropped, nothing answers) may
 * still have its connections accepted by something on the way, and a probe that stops there would call it reachable
 * while every send to it hangs. Nothing is authenticated and no secret is sent.
 */
final class AmqpProbe {

    // AMQP 1.0, protocol id 3 (SASL): what the SDK sends first, and what the namespace answers with
    private static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

    private AmqpProbe() {
    }

    /** Returns null when the namespace answered, else what went wrong (no secret in it). */
    static String probe(ServiceBusNamespace namespace, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(namespace.host(), namespace.port()), timeoutMillis);
            Socket socket = plain;
            if (namespace.tls()) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, namespace.host(), namespace.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                if (!namespace.host().matches("[0-9.:]+")) {
                    parameters.setServerNames(java.util.List.of(new SNIHostName(namespace.host())));
                }
                tls.setSSLParameters(parameters);
                tls.setSoTimeout(remaining(deadline));
                tls.startHandshake();
                socket = tls;
            }
            socket.setSoTimeout(remaining(deadline));
            socket.getOutputStream().write(SASL_HEADER);
            socket.getOutputStream().flush();
            byte[] answer = readFully(socket.getInputStream(), SASL_HEADER.length, deadline, socket);
            if (!Arrays.equals(Arrays.copyOf(answer, 4), Arrays.copyOf(SASL_HEADER, 4))) {
                return "probe: the AMQP port answered something that is not AMQP";
            }
            return null;
        } catch (SocketTimeoutException e) {
            return "probe: no AMQP answer within " + timeoutMillis + " ms";
        } catch (IOException e) {
            return "probe: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private static byte[] readFully(InputStream in, int length, long deadline, Socket socket) throws IOException {
        byte[] answer = new byte[length];
        int read = 0;
        while (read < length) {
            socket.setSoTimeout(remaining(deadline));
            int n = in.read(answer, read, length - read);
            if (n < 0) {
                throw new IOException("the connection was closed before the AMQP header came");
            }
            read += n;
        }
        return answer;
    }

    private static int remaining(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
