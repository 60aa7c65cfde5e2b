package dev.tollgate.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ServerSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatabaseChoiceTest {

    private static GatewayConfig withDatabase(CredentialRef url) {
        return new GatewayConfig(List.of(), CredentialRef.NONE, CredentialRef.NONE, List.of(),
                new ServerSettings(url, Map.of()));
    }

    @Test
    void noUrlAnywhereMeansEmbedded() {
        DatabaseChoice choice = DatabaseChoice.of(withDatabase(CredentialRef.NONE), Map.of());
        assertEquals(Optional.empty(), choice.url());
        assertTrue(choice.describe().startsWith("embedded"), choice.describe());
    }

    @Test
    void liteLlmDatabaseUrlIsUsedWithItsOwnCredentials() {
        DatabaseChoice choice = DatabaseChoice.of(withDatabase(CredentialRef.parse("os.environ/DATABASE_URL")),
                Map.of("DATABASE_URL", "postgresql://llm:pw@db:5432/litellm"));
        assertEquals("jdbc:postgresql://db:5432/litellm", choice.url().orElseThrow().jdbcUrl());
        assertEquals("llm", choice.user());
        assertEquals("pw", choice.password());
    }

    @Test
    void tollgateVariablesOverrideTheConfig() {
        DatabaseChoice choice = DatabaseChoice.of(withDatabase(CredentialRef.parse("postgresql://llm:pw@db/litellm")),
                Map.of("TOLLGATE_DB_URL", "jdbc:postgresql://other:5432/tollgate", "TOLLGATE_DB_USER", "tg",
                        "TOLLGATE_DB_PASSWORD", "tgpw"));
        assertEquals("jdbc:postgresql://other:5432/tollgate", choice.url().orElseThrow().jdbcUrl());
        assertEquals("tg", choice.user());
        assertEquals("tgpw", choice.password());
        DatabaseChoice userOnly = DatabaseChoice.of(withDatabase(CredentialRef.parse("postgresql://llm:pw@db/litellm")),
                Map.of("TOLLGATE_DB_USER", "tg"));
        assertEquals("tg", userOnly.user());
        assertEquals("pw", userOnly.password(), "the URL's password stays when only the user is overridden");
    }

    @Test
    void unsetVariableIsAStartupFailureNamingIt() {
        Main.StartupException e = assertThrows(Main.StartupException.class, () -> DatabaseChoice.of(
                withDatabase(CredentialRef.parse("os.environ/DATABASE_URL")), Map.of()));
        assertTrue(e.getMessage().contains("os.environ/DATABASE_URL, which is not set"), e.getMessage());
    }
}
