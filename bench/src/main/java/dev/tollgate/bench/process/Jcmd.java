package dev.tollgate.bench.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts and stops a JDK Flight Recording in another JVM through {@code jcmd}. Stateless. */
public final class Jcmd {

    private Jcmd() {
    }

    /** {@code jcmd PID JFR.start name=bench settings=profile}; returns jcmd's output. */
    public static String startRecording(long pid) throws IOException, InterruptedException {
        return run(List.of(Long.toString(pid), "JFR.start", "name=bench", "settings=profile"));
    }

    /** {@code jcmd PID JFR.stop name=bench filename=FILE}: writes the recording; returns jcmd's output. */
    public static String stopRecording(long pid, Path file) throws IOException, InterruptedException {
        return run(List.of(Long.toString(pid), "JFR.stop", "name=bench", "filename=" + file.toAbsolutePath()));
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(jcmd.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + args + " did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + args + " failed: " + out);
        }
        return out;
    }
}
