package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The views' JSON factory and the one rule they share for numbers that may be undefined. */
final class ViewJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private ViewJson() {
    }

    /** {@code v}, or null when it is NaN or infinite (JSON has no such numbers; the page shows "–"). */
    static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }
}
