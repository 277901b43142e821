package io.ringfold.solve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * How a full-batch solve ended: the solver that ran, its iterations, the final objective (mean loss plus
 * penalties) and largest (pseudo-)gradient entry, whether it converged and why it stopped, and notes for the
 * user (a fallback taken, separable data).
 */
public record SolverReport(String solver, int iterations, double objective, double gradientNorm, boolean converged,
                           String stop, List<String> notes) {

    public SolverReport {
        notes = List.copyOf(notes);
    }

    public SolverReport withNote(String note) {
        List<String> n = new java.util.ArrayList<>(notes);
        n.add(note);
        return new SolverReport(solver, iterations, objective, gradientNorm, converged, stop, n);
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("solver", solver);
        n.put("iterations", iterations);
        n.put("objective", objective);
        n.put("gradient_norm", gradientNorm);
        n.put("converged", converged);
        n.put("stop", stop);
        n.set("notes", JsonNodeFactory.instance.arrayNode().addAll(notes.stream()
                .map(JsonNodeFactory.instance::textNode).toList()));
        return n;
    }

    public static SolverReport fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        List<String> notes = new java.util.ArrayList<>();
        n.path("notes").forEach(t -> notes.add(t.asText()));
        return new SolverReport(n.path("solver").asText(), n.path("iterations").asInt(), n.path("objective").asDouble(),
                n.path("gradient_norm").asDouble(), n.path("converged").asBoolean(), n.path("stop").asText(), notes);
    }

    /** One line for the command's output. */
    public String describe() {
        return "solver " + solver + ": " + iterations + " iterations, objective " + String.format("%.8g", objective)
                + ", max |gradient| " + String.format("%.3g", gradientNorm) + ", "
                + (converged ? "converged (" + stop + ")" : "stopped: " + stop);
    }
}
