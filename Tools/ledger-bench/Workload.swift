import Ledger
import WarrantyDomain

/// The events the benchmarks write: a policy, enrolled dealers, then units sold and serviced, with Chinese text.
///
/// Event `i` of the stream is a pure function of `i`, so the log, the JSON Lines and the payload pool
/// of a run all hold the same events without keeping them in memory. The stream is valid under
/// SPEC §2 in log order: the policy and the dealers come first, and every unit goes through
/// `unit.sold`, `complaint.lodged`, `visit.recorded` (resolving the complaint) and `part.swapped`,
/// each on or after the day of the event it depends on.
enum Workload {
    static let zone = TimeZoneOffset.chinaStandard
    static let policyName = "P-HARVESTER-2025"
    static let models = ["H-9", "T-504", "M-30"]
    static let dealerCount = 50
    /// Events before the first unit: the policy and the enrolments.
    static let preambleCount = 1 + dealerCount
    /// Events of one unit's cycle: sold, complaint, visit, swap.
    static let cycleLength = 4

    static let firstDay = Day(year: 2025, month: 1, day: 1)!
    static let regions = ["山东", "河南", "河北", "黑龙江", "江苏"]
    static let customers = [
        "济南市章丘区绿野农机专业合作社", "潍坊市寒亭区丰收家庭农场", "聊城市东昌府区金穗种植合作社",
        "菏泽市牡丹区兴农农机服务队", "德州市陵城区惠民粮食种植合作社", "临沂市兰陵县新田农业机械化合作社",
    ]
    static let faults = [
        "割台异响，拨禾轮转速不稳", "液压油管渗漏，驾驶室有油味", "发动机启动困难，排气冒黑烟",
        "脱粒滚筒堵塞，清选筛振动过大", "行走无力，变速箱挂挡困难", "仪表盘报警，水温过高",
    ]
    static let parts = ["割台", "液压泵", "发动机", "脱粒滚筒", "变速箱", "水箱"]

    /// The dealer id of dealer `k` (0-based), e.g. `D07`.
    static func dealerID(_ k: Int) -> String {
        k < 9 ? "D0\(k + 1)" : "D\(k + 1)"
    }

    /// The serial of unit `u`, e.g. `SN00001234`.
    static func serial(_ u: Int) -> String {
        let digits = String(u)
        return "SN" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The `index`-th event of the stream with the stream name and version the ledger would give it.
    static func stored(_ index: Int) -> StoredEvent {
        if index == 0 {
            return StoredEvent(stream: "policy:" + policyName, version: 1, event: policy())
        }
        if index < preambleCount {
            let k = index - 1
            return StoredEvent(stream: "dealer:" + dealerID(k), version: 1, event: enrolment(k))
        }
        let position = index - preambleCount
        let unit = position / cycleLength
        let step = position % cycleLength
        return StoredEvent(stream: "unit:" + serial(unit), version: UInt32(step + 1), event: unitEvent(unit, step: step))
    }

    /// The `index`-th event of the stream.
    static func event(_ index: Int) -> Event { stored(index).event }

    static func policy() -> Event {
        let body = PolicyPublished(
            policy: policyName, models: models, effective: firstDay, clockStart: .sale,
            returnDays: 7, exchangeDays: 15, warrantyMonths: 24,
            components: [PolicyPublished.Component(part: "液压泵", months: 12)],
            excluded: ["皮带"], laborRate: 9_000)
        return Event(at: firstDay.description, day: firstDay, by: "factory:售后服务部", body: .policyPublished(body))
    }

    static func enrolment(_ k: Int) -> Event {
        let body = DealerEnrolled(dealer: dealerID(k), name: "\(regions[k % regions.count])省第\(k + 1)农机经销服务站",
                                  region: regions[k % regions.count])
        return Event(at: firstDay.description, day: firstDay, body: .dealerEnrolled(body))
    }

    /// Step 0...3 of unit `u`: sold, complaint lodged, visit recorded, part swapped.
    static func unitEvent(_ u: Int, step: Int) -> Event {
        let serial = serial(u)
        let dealer = dealerID(u % dealerCount)
        let saleDay = firstDay.adding(days: 31 + u % 300)
        let complaintDay = saleDay.adding(days: 30)
        let visitDay = complaintDay.adding(days: 1)
        let part = parts[u % parts.count]
        switch step {
        case 0:
            let body = UnitSold(serial: serial, model: models[u % models.count], dealer: dealer,
                                customer: customers[u % customers.count], invoice: "FP-2025-\(u)",
                                price: 18_000_000 + Int64(u % 97) * 10_000)
            return Event(at: saleDay.description, day: saleDay, id: "erp-sale-" + serial, body: .unitSold(body))
        case 1:
            let body = ComplaintLodged(complaint: "C-" + serial, serial: serial, part: part,
                                       fault: faults[u % faults.count])
            return Event(at: complaintDay.description + "T08:30:00+08:00", day: complaintDay,
                         body: .complaintLodged(body))
        case 2:
            let body = VisitRecorded(visit: "V-" + serial, serial: serial, dealer: dealer, complaint: "C-" + serial,
                                     kind: .repair, finding: .defect, laborMinutes: Int32(60 + u % 120),
                                     travel: 3_000, resolved: true)
            return Event(at: visitDay.description + "T14:00:00+08:00", day: visitDay, by: "dealer:" + dealer,
                         body: .visitRecorded(body))
        default:
            let body = PartSwapped(swap: "S-" + serial, visit: "V-" + serial, serial: serial, part: part,
                                   removed: "OLD-\(u)", installed: "NEW-\(u)", cost: 56_000)
            return Event(at: visitDay.description + "T15:00:00+08:00", day: visitDay, body: .partSwapped(body))
        }
    }
}

/// StoredEvent payloads encoded once before timing and handed out in a cycle.
///
/// The pool holds events of the units' cycle only (no policy or enrolments), so every batch carries
/// the mix the append benchmark promises: `unit.sold`, `complaint.lodged`, `visit.recorded`, `part.swapped`.
final class PayloadPool {
    private let storage: UnsafeMutableRawBufferPointer
    private let offsets: [Int]
    let count: Int

    init(count: Int) {
        var bytes: [UInt8] = []
        var offsets = [0]
        var payload: [UInt8] = []
        for k in 0..<count {
            payload.removeAll(keepingCapacity: true)
            Workload.stored(Workload.preambleCount + k).encode(into: &payload)
            bytes.append(contentsOf: payload)
            offsets.append(bytes.count)
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        self.offsets = offsets
        self.count = count
    }

    deinit {
        storage.deallocate()
    }

    /// The payload at `index % count`.
    @inline(__always)
    func payload(_ index: Int) -> UnsafeRawBufferPointer {
        let k = index % count
        return UnsafeRawBufferPointer(rebasing: storage[offsets[k]..<offsets[k + 1]])
    }

    var averageBytes: Double { Double(offsets[count]) / Double(count) }
    var minimumBytes: Int { (0..<count).map { offsets[$0 + 1] - offsets[$0] }.min() ?? 0 }
    var maximumBytes: Int { (0..<count).map { offsets[$0 + 1] - offsets[$0] }.max() ?? 0 }
}
