import Foundation

/// The JSON baseline's model: Codable structs mirroring SPEC §2, one per event type, chosen by `type`.
///
/// A line decodes whole, `data` included, into the struct of its type, with the same field types as
/// the domain model (strings, Int32 counts, Int64 fen, Bool, string enums). Business days are not
/// computed and unknown fields are not refused, so the baseline does a little less than `EventDecoder`.
enum CodableEvents {
    struct Line: Decodable {
        var type: String
        var at: String
        var id: String?
        var by: String?
        var data: Body

        enum CodingKeys: String, CodingKey { case type, at, id, by, data }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            at = try c.decode(String.self, forKey: .at)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            by = try c.decodeIfPresent(String.self, forKey: .by)
            func body<T: Decodable>(_ kind: T.Type) throws -> T { try c.decode(kind, forKey: .data) }
            switch type {
            case "policy.published": data = .policyPublished(try body(PolicyPublished.self))
            case "dealer.enrolled": data = .dealerEnrolled(try body(DealerEnrolled.self))
            case "unit.sold": data = .unitSold(try body(UnitSold.self))
            case "card.registered": data = .cardRegistered(try body(Serial.self))
            case "unit.installed": data = .unitInstalled(try body(UnitInstalled.self))
            case "complaint.lodged": data = .complaintLodged(try body(ComplaintLodged.self))
            case "visit.recorded": data = .visitRecorded(try body(VisitRecorded.self))
            case "part.swapped": data = .partSwapped(try body(PartSwapped.self))
            case "part.returned": data = .partReturned(try body(Swap.self))
            case "part.appraised": data = .partAppraised(try body(PartAppraised.self))
            case "cost.written-off": data = .costWrittenOff(try body(CostWrittenOff.self))
            case "writeoff.confirmed": data = .writeoffConfirmed(try body(Notice.self))
            case "dealer.invoiced": data = .dealerInvoiced(try body(DealerInvoiced.self))
            case "payment.received": data = .paymentReceived(try body(PaymentReceived.self))
            case "unit.returned": data = .unitReturned(try body(UnitReturned.self))
            case "unit.exchanged": data = .unitExchanged(try body(UnitExchanged.self))
            case "event.voided": data = .eventVoided(try body(EventVoided.self))
            default:
                throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type \(type)")
            }
        }
    }

    enum Body {
        case policyPublished(PolicyPublished)
        case dealerEnrolled(DealerEnrolled)
        case unitSold(UnitSold)
        case cardRegistered(Serial)
        case unitInstalled(UnitInstalled)
        case complaintLodged(ComplaintLodged)
        case visitRecorded(VisitRecorded)
        case partSwapped(PartSwapped)
        case partReturned(Swap)
        case partAppraised(PartAppraised)
        case costWrittenOff(CostWrittenOff)
        case writeoffConfirmed(Notice)
        case dealerInvoiced(DealerInvoiced)
        case paymentReceived(PaymentReceived)
        case unitReturned(UnitReturned)
        case unitExchanged(UnitExchanged)
        case eventVoided(EventVoided)
    }

    struct PolicyPublished: Decodable {
        enum ClockStart: String, Decodable { case sale, install }
        struct Component: Decodable { var part: String; var months: Int32 }
        struct ServiceLevel: Decodable { var onsiteHours: Int32; var resolveHours: Int32 }
        var policy: String
        var models: [String]
        var effective: String
        var clockStart: ClockStart
        var returnDays: Int32
        var exchangeDays: Int32
        var warrantyMonths: Int32
        var components: [Component]?
        var excluded: [String]?
        var escalateAfter: Int32?
        var maxRepairDays: Int32?
        var registrationDays: Int32?
        var partReturnDeadlines: [String]?
        var retentionYears: Int32?
        var laborRate: Int64
        var sla: ServiceLevel?
    }

    struct DealerEnrolled: Decodable { var dealer: String; var name: String; var region: String? }

    struct UnitSold: Decodable {
        var serial: String
        var model: String
        var dealer: String
        var customer: String?
        var invoice: String?
        var price: Int64
    }

    struct Serial: Decodable { var serial: String }
    struct UnitInstalled: Decodable { var serial: String; var site: String? }

    struct ComplaintLodged: Decodable {
        var complaint: String
        var serial: String
        var part: String?
        var fault: String
    }

    struct VisitRecorded: Decodable {
        enum Kind: String, Decodable { case repair, `return`, inspection }
        enum Finding: String, Decodable { case defect, misuse, supplier, none }
        var visit: String
        var serial: String
        var dealer: String
        var complaint: String?
        var kind: Kind
        var finding: Finding
        var laborMinutes: Int32
        var travel: Int64
        var resolved: Bool
    }

    struct PartSwapped: Decodable {
        var swap: String
        var visit: String
        var serial: String
        var part: String
        var removed: String?
        var installed: String?
        var cost: Int64
    }

    struct Swap: Decodable { var swap: String }

    struct PartAppraised: Decodable {
        enum Verdict: String, Decodable { case defect, premature, misuse, noFault = "no-fault" }
        enum Disposition: String, Decodable { case reusable, scrap }
        var swap: String
        var verdict: Verdict
        var disposition: Disposition
    }

    struct CostWrittenOff: Decodable { var notice: String; var dealer: String; var lines: [String]; var amount: Int64 }
    struct Notice: Decodable { var notice: String }
    struct DealerInvoiced: Decodable { var dealer: String; var invoice: String; var amount: Int64 }
    struct PaymentReceived: Decodable { var dealer: String; var amount: Int64; var ref: String? }
    struct UnitReturned: Decodable { var serial: String; var refund: Int64 }
    struct UnitExchanged: Decodable { var serial: String; var replacement: String }
    struct EventVoided: Decodable { var seq: Int64; var reason: String }
}
