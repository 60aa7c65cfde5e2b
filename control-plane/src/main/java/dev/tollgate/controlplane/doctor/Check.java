package dev.tollgate.controlplane.doctor;

/**
 * One doctor check of one deployment.
 *
 * @param outcome what the check found
 * @param detail  what was seen (never a secret)
 * @param fix     what to change when it failed; empty otherwise
 */
public record Check(String name, Outcome outcome, String detail, String fix) {

    /** PASS and SKIP count as healthy; FAIL does not. */
    public enum Outcome { PASS, FAIL, SKIP }

    static Check pass(String name, String detail) {
        return new Check(name, Outcome.PASS, detail, "");
    }

    static Check fail(String name, String detail, String fix) {
        return new Check(name, Outcome.FAIL, detail, fix);
    }

    static Check skip(String name, String detail) {
        return new Check(name, Outcome.SKIP, detail, "");
    }
}
