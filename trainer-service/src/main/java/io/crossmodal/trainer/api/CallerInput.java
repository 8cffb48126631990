package io.crossmodal.trainer.api;

/**
 * Bounds on the strings a caller sends, checked at the API boundary (INVALID_ARGUMENT naming the field), and
 * the one way caller text reaches a log line or a status message: {@link #forLog}. Caller strings are stored
 * (job records, decision records) and read back by every later ListJobs / GetModelHistory, so one oversized
 * value must never get in; and a newline in a request id must not forge a log line.
 */
public final class CallerInput {
    /** request_id, idempotency_key, actor. */
    public static final int MAX_ID = 128;
    public static final int MAX_JOB_ID = 64;
    public static final int MAX_MODEL_NAME = 64;
    public static final int MAX_REASON = 1024;
    public static final int MAX_PATH = 4096;
    public static final int MAX_GATE_JSON = 64 * 1024;
    /** Candidate version or alias of a promotion. */
    public static final int MAX_CANDIDATE = 64;

    private CallerInput() {
    }

    /** An optional identifier-like string: at most {@code max} characters, no control characters. */
    public static String id(String field, String value, int max) {
        String v = value == null ? "" : value;
        if (v.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters (" + v.length() + ")");
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw new IllegalArgumentException(field + " must not contain control characters (at index " + i + ")");
            }
        }
        return v;
    }

    /** Free text (a reason): at most {@code max} characters; newlines and tabs allowed, other controls not. */
    public static String text(String field, String value, int max) {
        String v = value == null ? "" : value;
        if (v.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters (" + v.length() + ")");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') {
                throw new IllegalArgumentException(field + " must not contain control characters (at index " + i + ")");
            }
        }
        return v;
    }

    /** A registry model name: required, {@code [a-z0-9][a-z0-9._-]*}, at most {@value #MAX_MODEL_NAME} characters. */
    public static String modelName(String field, String value) {
        String v = value == null ? "" : value;
        if (v.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (v.length() > MAX_MODEL_NAME || !v.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException(field + " must match [a-z0-9][a-z0-9._-]{0," + (MAX_MODEL_NAME - 1)
                    + "}, got '" + forLog(v) + "'");
        }
        return v;
    }

    /** A job id as the trainer issues them: required, at most {@value #MAX_JOB_ID} characters of [A-Za-z0-9-]. */
    public static String jobId(String value) {
        String v = value == null ? "" : value;
        if (v.isEmpty()) {
            throw new IllegalArgumentException("job_id is required");
        }
        if (v.length() > MAX_JOB_ID || !v.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("job_id is not a job id of this trainer (at most " + MAX_JOB_ID
                    + " characters of A-Z, a-z, 0-9 and '-')");
        }
        return v;
    }

    /**
     * Caller text made safe for one log line or a status message: control characters (newlines included)
     * escaped as {@code \\uXXXX}, cut to 200 characters with the full length noted.
     */
    public static String forLog(String value) {
        if (value == null) {
            return "";
        }
        int max = 200;
        StringBuilder b = new StringBuilder(Math.min(value.length(), max) + 16);
        for (int i = 0; i < value.length() && i < max; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (value.length() > max) {
            b.append("...(").append(value.length()).append(" chars)");
        }
        return b.toString();
    }

    /** A stored string cut to {@code max} characters for a response (legacy records may hold anything). */
    public static String cut(String value, int max) {
        if (value == null) {
            return "";
        }
        return value.length() <= max ? value : value.substring(0, max) + "...(" + value.length() + " chars, cut)";
    }
}
