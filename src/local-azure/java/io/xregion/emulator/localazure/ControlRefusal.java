package io.xregion.emulator.localazure;

/**
 * A fault switch or state request that cannot be done as asked, with the HTTP status and a stable error code for
 * the answer. The message goes back to the caller, so it describes the request, never a key.
 */
public final class ControlRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ControlRefusal(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static ControlRefusal badRequest(String message) {
        return new ControlRefusal(400, "BadRequest", message);
    }

    static ControlRefusal notFound(String message) {
        return new ControlRefusal(404, "NotFound", message);
    }

    static ControlRefusal conflict(String message) {
        return new ControlRefusal(409, "Conflict", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
