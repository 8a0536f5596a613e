/// The morphology of dendrites in a region (docs/REFERENCE.md §5).
public enum MorphologyLabel: String, Sendable, Codable, CaseIterable {
    /// Tapered tongues rising perpendicular to the interface; wide at the base, few branches, few loops (Li-In growth front).
    case flame
    /// Dense thin bands parallel to the interface; high coherence, lateral orientation, few loops (Li-In middle zone).
    case stripe
    /// Connected mesh enclosing electrolyte particles; many holes and junctions, isotropic (Li-In near the anode).
    case network
    /// Thin needle/whisker dendrites perpendicular to the interface (typical of Li).
    case vertical
    /// Too little dendrite phase to judge.
    case none
}
