package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void liteLlmPostgresUrlBecomesJdbcWithCredentialsApart() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://llm:p%40ss%3Aw0rd@db.internal:5433/litellm?sslmode=require",
                "general_settings.database_url");
        assertEquals("jdbc:postgresql://db.internal:5433/litellm?sslmode=require", url.jdbcUrl());
        assertEquals("llm", url.user());
        assertEquals("p@ss:w0rd", url.password());
        assertFalse(url.toString().contains("w0rd"));
        assertFalse(url.describe().contains("w0rd"));
    }

    @Test
    void postgresSchemeDefaultPortAndDatabaseAreAccepted() {
        assertEquals("jdbc:postgresql://db/postgres", DatabaseUrl.parse("postgres://db", "x").jdbcUrl());
        assertEquals("jdbc:postgresql://db/app", DatabaseUrl.parse("postgres://u@db/app", "x").jdbcUrl());
        assertEquals("u", DatabaseUrl.parse("postgres://u@db/app", "x").user());
        assertEquals("jdbc:postgresql://h:5432/d?user=a", DatabaseUrl.parse("jdbc:postgresql://h:5432/d?user=a", "x").jdbcUrl());
    }

    @Test
    void otherDatabasesAndBrokenUrlsAreRefusedWithoutThePassword() {
        String mysql = assertThrows(ConfigLoader.ConfigException.class,
                () -> DatabaseUrl.parse("mysql://root:hunter2@db/litellm", "general_settings.database_url")).getMessage();
        assertTrue(mysql.startsWith("general_settings.database_url: a mysql:// URL (expected: postgresql://"), mysql);
        assertFalse(mysql.contains("hunter2"));
        String broken = assertThrows(ConfigLoader.ConfigException.class,
                () -> DatabaseUrl.parse("postgresql://u:pa ss@db/x", "general_settings.database_url")).getMessage();
        assertTrue(broken.contains("not a valid URL"), broken);
        assertFalse(broken.contains("pa ss"));
        String noScheme = assertThrows(ConfigLoader.ConfigException.class, () -> DatabaseUrl.parse("db:5432", "x"))
                .getMessage();
        assertTrue(noScheme.contains("a URL without a scheme"), noScheme);
    }
}
