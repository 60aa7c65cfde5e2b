package dev.tollgate.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The repository as the checks see it: files by path relative to the root ({@code a/b.yaml},
 * always with forward slashes), where a test may replace a file's text to simulate a drift.
 * Immutable; {@link #with} returns a changed copy.
 */
final class Repo {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Files read from disk, kept for the test run: the checks read the same sources many times. */
    private static final Map<Path, String> DISK = new ConcurrentHashMap<>();
    private static final Map<Path, List<String>> LISTINGS = new ConcurrentHashMap<>();

    private final Path root;
    private final Map<String, String> overrides;

    private Repo(Path root, Map<String, String> overrides) {
        this.root = root;
        this.overrides = Map.copyOf(overrides);
    }

    /** The checkout that holds this module: the nearest folder upwards with the launcher and a pom.xml. */
    static Repo find() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("tollgate")) && Files.isRegularFile(d.resolve("pom.xml"))
                    && Files.isDirectory(d.resolve("deploy"))) {
                return new Repo(d, Map.of());
            }
        }
        throw new IllegalStateException("no Tollgate checkout (tollgate, pom.xml, deploy/) above " + dir);
    }

    Path root() {
        return root;
    }

    /** This repository with {@code path}'s text replaced. */
    Repo with(String path, String text) {
        Map<String, String> changed = new HashMap<>(overrides);
        changed.put(normalize(path), text);
        return new Repo(root, changed);
    }

    /** This repository with the one occurrence of {@code from} in {@code path} replaced by {@code to}. */
    Repo withReplaced(String path, String from, String to) {
        String text = read(path);
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalArgumentException("expected exactly one '" + from + "' in " + path);
        }
        return with(path, text.replace(from, to));
    }

    boolean exists(String path) {
        String p = normalize(path);
        return overrides.containsKey(p) || Files.exists(root.resolve(p));
    }

    boolean isDirectory(String path) {
        return Files.isDirectory(root.resolve(normalize(path)));
    }

    String read(String path) {
        String p = normalize(path);
        String override = overrides.get(p);
        if (override != null) {
            return override;
        }
        return DISK.computeIfAbsent(root.resolve(p), file -> {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        });
    }

    /**
     * Regular files under {@code dir} (recursively) whose names end with one of {@code suffixes},
     * sorted; build output ({@code target/}) and the folder's own {@code src/} (this module's tests)
     * are left out.
     */
    List<String> list(String dir, String... suffixes) {
        String base = normalize(dir);
        TreeSet<String> found = new TreeSet<>(LISTINGS.computeIfAbsent(root.resolve(base), d -> walk(base)));
        overrides.keySet().stream().filter(p -> p.startsWith(base + "/")).forEach(found::add);
        return found.stream().filter(f -> Stream.of(suffixes).anyMatch(f::endsWith)).toList();
    }

    private List<String> walk(String base) {
        Path dir = root.resolve(base);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !dir.relativize(f).toString().replace('\\', '/').startsWith("src/"))
                    .map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(f -> !f.contains("/target/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + base, e);
        }
    }

    /** Every non-empty YAML document of {@code path} (a file may hold several, separated by ---). */
    List<JsonNode> yaml(String path) {
        return yamlText(read(path), path);
    }

    static List<JsonNode> yamlText(String text, String where) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode doc : docs.readAll()) {
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    out.add(doc);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The single YAML document of {@code path}. */
    JsonNode yamlDocument(String path) {
        List<JsonNode> docs = yaml(path);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(path + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    /** {@code relative} resolved against the folder of {@code file}, e.g. ("deploy/compose/x.yaml", "../config/y") -> "deploy/config/y". */
    static String resolve(String file, String relative) {
        int slash = file.lastIndexOf('/');
        String dir = slash < 0 ? "" : file.substring(0, slash);
        return normalize(dir.isEmpty() ? relative : dir + "/" + relative);
    }

    static String normalize(String path) {
        Objects.requireNonNull(path);
        String p = Path.of(path).normalize().toString().replace('\\', '/');
        p = p.startsWith("./") ? p.substring(2) : p;
        return p.isEmpty() ? "." : p;
    }
}
