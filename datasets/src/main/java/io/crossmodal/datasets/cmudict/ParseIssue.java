package io.crossmodal.datasets.cmudict;

import java.util.Objects;

/**
 * A line of a lexicon file that was skipped. Bad lines are collected rather than thrown so one
 * typo in a 130k-line dictionary does not block loading, while still being visible to callers.
 *
 * @param lineNumber 1-based line number in the source file
 * @param line the offending line as read (without the line terminator)
 * @param reason why it was rejected
 */
public record ParseIssue(int lineNumber, String line, String reason) {
    public ParseIssue {
        if (lineNumber < 1) {
            throw new IllegalArgumentException("lineNumber must be >= 1, got " + lineNumber);
        }
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "line " + lineNumber + ": " + reason + " [" + line + "]";
    }
}
