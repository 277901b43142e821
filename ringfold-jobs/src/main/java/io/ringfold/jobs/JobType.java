package io.ringfold.jobs;

/** What a job does: train a model ({@code train}'s arguments) or fit a preprocessing on raw data. */
public enum JobType {
    TRAIN("train"),
    PREPROCESS("preprocess");

    private final String id;

    JobType(String id) {
        this.id = id;
    }

    /** The name in job specs, the API and the database. */
    public String id() {
        return id;
    }

    /** The type with this id, or IllegalArgumentException naming the ids there are. */
    public static JobType fromId(String id) {
        return Names.byId("type", id, values(), JobType::id);
    }
}
