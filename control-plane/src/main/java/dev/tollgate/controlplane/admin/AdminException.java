package dev.tollgate.controlplane.admin;

/**
 * A refused admin request, written by {@link AdminServer} as the OpenAI error envelope.
 * Carries no stack trace: it is an answer, not a bug.
 */
final class AdminException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    AdminException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static AdminException badRequest(String param, String message) {
        return new AdminException(400, "invalid_request_error", "invalid_request", param, message);
    }

    static AdminException notFound(String param, String message) {
        return new AdminException(404, "invalid_request_error", "not_found", param, message);
    }

    static AdminException unauthorized(String message) {
        return new AdminException(401, "authentication_error", "invalid_master_key", null, message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String code() {
        return code;
    }

    String param() {
        return param;
    }
}
