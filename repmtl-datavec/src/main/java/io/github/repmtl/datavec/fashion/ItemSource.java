package io.github.repmtl.datavec.fashion;

/**
 * Where the items of a dataset were read from.
 *
 * @param kind     a directory of idx files or the subset bundled with this module
 * @param location the directory, or the class-path folder of the bundled subset
 */
public record ItemSource(Kind kind, String location) {

    /** The two places items can come from. */
    public enum Kind {
        /** idx files in a directory (the Debian package's or one the user configured). */
        DIRECTORY,
        /** The compact Fashion-MNIST subset shipped inside this module's jar. */
        BUNDLED_SUBSET
    }

    public boolean isBundledSubset() {
        return kind == Kind.BUNDLED_SUBSET;
    }

    @Override
    public String toString() {
        return (kind == Kind.DIRECTORY ? "directory " : "bundled subset ") + location;
    }
}
