import WarrantyDomain

/// The kind of business a dealer does; a dealer sells and services only its own kind of family.
enum Specialty: Int, CaseIterable {
    case farm, vehicle, building
}

/// A model the factory sells, with the prefix of its serial numbers and its price band.
struct ModelSpec {
    let name: String
    let serialPrefix: String
    let priceFen: ClosedRange<Int64>
}

/// A part that can fail, be complained about and be swapped.
struct PartSpec {
    let name: String
    /// How often complaints name this part, relative to the family's other parts.
    let weight: Int
    let costFen: ClosedRange<Int64>
    /// Prefix of the factory part numbers in `removed` and `installed`.
    let partNumber: String
    /// Fault descriptions a customer gives for this part.
    let faults: [String]
}

/// A publication of warranty terms: the day it is published and the terms themselves.
struct PolicyRelease {
    let published: Day
    let policy: PolicyPublished
}

/// A product family: its models, parts, the policies that cover it and how it behaves in service.
struct Family {
    let key: String
    let specialty: Specialty
    /// Share of the factory's sales, relative to the other families.
    let salesWeight: Int
    let models: [ModelSpec]
    let parts: [PartSpec]
    /// Faults of complaints that name no part.
    let unitFaults: [String]
    /// Publications in order of their effective day.
    let releases: [PolicyRelease]
    let laborMinutes: ClosedRange<Int>
    let travelFen: ClosedRange<Int64>
    /// Mean days between two complaints about an ordinary unit.
    let complaintGapDays: Double
    /// Days from sale to installation, for install-clock families.
    let installDelayDays: ClosedRange<Int>
    /// Where units of install-clock families are installed.
    let sites: [String]

    var installs: Bool { releases[0].policy.clockStart == .install }
}
