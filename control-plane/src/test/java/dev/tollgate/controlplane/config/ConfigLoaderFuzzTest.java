package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config loader on any file content (LiteLLM's config.yaml shape, or anything else): a config, or a
 * {@link ConfigLoader.ConfigException} whose message names what is wrong — never another exception, which
 * would stop the control plane with a stack trace instead of a sentence. Input: the file's bytes; seeds are
 * the LiteLLM documentation configs and Tollgate's own options.
 */
class ConfigLoaderFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("tollgate-fuzz-config", ".yaml");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "5s")
    void anyFileLoadsOrIsRefusedWithAMessage(byte[] input) throws IOException {
        Files.write(FILE, input);
        try {
            assertNotNull(ConfigLoader.load(FILE));
        } catch (ConfigLoader.ConfigException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "a refusal without a message");
        }
    }
}
