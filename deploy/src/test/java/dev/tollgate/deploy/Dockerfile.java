package dev.tollgate.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A Dockerfile read into stages of instructions (continuation lines joined, comments dropped). */
record Dockerfile(List<Stage> stages) {

    record Instruction(String keyword, String args) {
    }

    record Stage(String image, Optional<String> name, List<Instruction> instructions) {
        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        }

        Optional<String> last(String keyword) {
            List<String> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static Dockerfile parse(String text) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.startsWith("#")) {
                continue;                       // a comment line inside a continued instruction
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                current.append(trimmed);
                logical.add(current.toString());
                current.setLength(0);
            }
        }
        List<Stage> stages = new ArrayList<>();
        List<Instruction> instructions = null;
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            String args = parts.length > 1 ? parts[1].strip() : "";
            if (keyword.equals("FROM")) {
                String[] from = args.split("\\s+");
                List<String> words = new ArrayList<>(List.of(from));
                words.removeIf(w -> w.startsWith("--"));
                Optional<String> name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")
                        ? Optional.of(words.get(2)) : Optional.empty();
                instructions = new ArrayList<>();
                stages.add(new Stage(words.get(0), name, instructions));
            } else if (instructions == null) {
                if (!keyword.equals("ARG")) {
                    throw new IllegalArgumentException("instruction before FROM: " + line);
                }
            } else {
                instructions.add(new Instruction(keyword, args));
            }
        }
        return new Dockerfile(List.copyOf(stages));
    }

    /** The words of an exec-form (JSON array) argument, or empty when it is in shell form. */
    static Optional<List<String>> execForm(String args) {
        String s = args.strip();
        if (!s.startsWith("[")) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(s, new TypeReference<List<String>>() {
            }));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    Stage runtime() {
        return stages.get(stages.size() - 1);
    }
}
