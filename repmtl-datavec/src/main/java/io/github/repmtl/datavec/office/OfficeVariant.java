package io.github.repmtl.datavec.office;

import java.util.List;

/**
 * The two Office benchmarks: their domains (one task each) and how their image folders are laid out
 * as distributed ({@code amazon/images/<class>/...} for Office-31, {@code Art/<class>/...} for
 * Office-Home).
 */
public enum OfficeVariant {
    /** Office-31: 4110 images of 31 classes in the domains amazon, dslr and webcam. */
    OFFICE_31("Office-31", List.of("amazon", "dslr", "webcam"), "images"),
    /** Office-Home: 15588 images of 65 classes in the domains Art, Clipart, Product and Real_World. */
    OFFICE_HOME("Office-Home", List.of("Art", "Clipart", "Product", "Real_World"), null);

    private final String displayName;
    private final List<String> domains;
    private final String imagesSubfolder;

    OfficeVariant(String displayName, List<String> domains, String imagesSubfolder) {
        this.displayName = displayName;
        this.domains = domains;
        this.imagesSubfolder = imagesSubfolder;
    }

    public String displayName() {
        return displayName;
    }

    /** The domains, in task order, named as in LibMTL's list files. */
    public List<String> domains() {
        return domains;
    }

    /**
     * The folder names a domain may have on disk: its LibMTL name and, for names with an underscore,
     * the original name with a space ({@code Real World}).
     */
    List<String> folderNames(String domain) {
        return domain.contains("_") ? List.of(domain, domain.replace('_', ' ')) : List.of(domain);
    }

    /** The folder between a domain folder and its class folders ({@code images} for Office-31), or null. */
    String imagesSubfolder() {
        return imagesSubfolder;
    }
}
