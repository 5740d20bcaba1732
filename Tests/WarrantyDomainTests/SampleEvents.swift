import WarrantyDomain

/// One realistic input line per variant of every event type, with the event it must decode to in a +08:00 ledger.
struct Sample: Sendable, CustomStringConvertible {
    /// `<type> full` (every optional field and the envelope's `id` and `by` present) or `<type> minimal` (none).
    let name: String
    /// The input line, in the canonical member order `EventEncoder` writes.
    let line: String
    let event: Event

    var description: String { name }
}

func day(_ text: String) -> Day { Day(text)! }

enum Samples {
    static let all: [Sample] = [
        Sample(
            name: "policy.published full",
            line: #"{"type":"policy.published","at":"2025-01-01T09:00:00+08:00","id":"pol-2025-h","by":"factory:三包办","data":{"policy":"P-HARVESTER-2025","models":["H-9","H-9Pro"],"effective":"2025-01-01","clockStart":"install","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"components":[{"part":"cutter-bar","months":3},{"part":"发动机","months":24}],"excluded":["belt","刀片"],"escalateAfter":2,"maxRepairDays":30,"registrationDays":20,"partReturnDeadlines":["06-30","12-31","02-29"],"retentionYears":5,"laborRate":9000,"sla":{"onsiteHours":24,"resolveHours":72}}}"#,
            event: Event(at: "2025-01-01T09:00:00+08:00", day: day("2025-01-01"), id: "pol-2025-h", by: "factory:三包办",
                         body: .policyPublished(PolicyPublished(
                            policy: "P-HARVESTER-2025", models: ["H-9", "H-9Pro"], effective: day("2025-01-01"),
                            clockStart: .install, returnDays: 7, exchangeDays: 15, warrantyMonths: 12,
                            components: [.init(part: "cutter-bar", months: 3), .init(part: "发动机", months: 24)],
                            excluded: ["belt", "刀片"], escalateAfter: 2, maxRepairDays: 30, registrationDays: 20,
                            partReturnDeadlines: [.init(month: 6, day: 30), .init(month: 12, day: 31), .init(month: 2, day: 29)],
                            retentionYears: 5, laborRate: 9000, sla: .init(onsiteHours: 24, resolveHours: 72))))),
        Sample(
            name: "policy.published minimal",
            line: #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P-DOOR-2024","models":["门-A1"],"effective":"2024-12-31","clockStart":"sale","returnDays":0,"exchangeDays":0,"warrantyMonths":1,"laborRate":0}}"#,
            event: Event(at: "2025-01-01", day: day("2025-01-01"),
                         body: .policyPublished(PolicyPublished(
                            policy: "P-DOOR-2024", models: ["门-A1"], effective: day("2024-12-31"), clockStart: .sale,
                            returnDays: 0, exchangeDays: 0, warrantyMonths: 1, laborRate: 0)))),
        Sample(
            name: "policy.published empty lists",
            line: #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P-LAMP-2025","models":["L-1","L-2","L-3"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":1200,"components":[],"excluded":[],"escalateAfter":0,"maxRepairDays":0,"registrationDays":36500,"partReturnDeadlines":[],"retentionYears":100,"laborRate":1000000000000,"sla":{"onsiteHours":0,"resolveHours":100000}}}"#,
            event: Event(at: "2025-01-01", day: day("2025-01-01"),
                         body: .policyPublished(PolicyPublished(
                            policy: "P-LAMP-2025", models: ["L-1", "L-2", "L-3"], effective: day("2025-01-01"),
                            clockStart: .sale, returnDays: 7, exchangeDays: 15, warrantyMonths: 1200,
                            components: [], excluded: [], escalateAfter: 0, maxRepairDays: 0, registrationDays: 36500,
                            partReturnDeadlines: [], retentionYears: 100, laborRate: 1_000_000_000_000,
                            sla: .init(onsiteHours: 0, resolveHours: 100_000))))),
        Sample(
            name: "dealer.enrolled full",
            line: #"{"type":"dealer.enrolled","at":"2025-01-02","id":"erp-d-qd","by":"admin","data":{"dealer":"QD","name":"青岛农机服务站","region":"山东"}}"#,
            event: Event(at: "2025-01-02", day: day("2025-01-02"), id: "erp-d-qd", by: "admin",
                         body: .dealerEnrolled(DealerEnrolled(dealer: "QD", name: "青岛农机服务站", region: "山东")))),
        Sample(
            name: "dealer.enrolled minimal",
            line: #"{"type":"dealer.enrolled","at":"2025-01-02","data":{"dealer":"WF","name":"潍坊经销商"}}"#,
            event: Event(at: "2025-01-02", day: day("2025-01-02"),
                         body: .dealerEnrolled(DealerEnrolled(dealer: "WF", name: "潍坊经销商")))),
        Sample(
            name: "unit.sold full",
            line: #"{"type":"unit.sold","at":"2026-03-01","id":"erp-77-1","by":"dealer:D01","data":{"serial":"SN1","model":"T-504","dealer":"D01","customer":"合作社-7","invoice":"FP-2026-0301","price":450000}}"#,
            event: Event(at: "2026-03-01", day: day("2026-03-01"), id: "erp-77-1", by: "dealer:D01",
                         body: .unitSold(UnitSold(serial: "SN1", model: "T-504", dealer: "D01", customer: "合作社-7",
                                                  invoice: "FP-2026-0301", price: 450_000)))),
        Sample(
            name: "unit.sold minimal",
            line: #"{"type":"unit.sold","at":"2025-04-01","data":{"serial":"H9-002","model":"H-9","dealer":"WF","price":18000000}}"#,
            event: Event(at: "2025-04-01", day: day("2025-04-01"),
                         body: .unitSold(UnitSold(serial: "H9-002", model: "H-9", dealer: "WF", price: 18_000_000)))),
        Sample(
            name: "card.registered full",
            line: #"{"type":"card.registered","at":"2025-04-10T10:15:30.250Z","id":"card-H9-001","by":"工厂服务部","data":{"serial":"H9-001"}}"#,
            event: Event(at: "2025-04-10T10:15:30.250Z", day: day("2025-04-10"), id: "card-H9-001", by: "工厂服务部",
                         body: .cardRegistered(CardRegistered(serial: "H9-001")))),
        Sample(
            name: "card.registered minimal",
            line: #"{"type":"card.registered","at":"2025-04-10","data":{"serial":"H9-001"}}"#,
            event: Event(at: "2025-04-10", day: day("2025-04-10"), body: .cardRegistered(CardRegistered(serial: "H9-001")))),
        Sample(
            name: "unit.installed full",
            line: #"{"type":"unit.installed","at":"2025-04-02T23:30:00+00:00","id":"inst-1","by":"dealer:QD","data":{"serial":"H9-001","site":"田间地头"}}"#,
            event: Event(at: "2025-04-02T23:30:00+00:00", day: day("2025-04-03"), id: "inst-1", by: "dealer:QD",
                         body: .unitInstalled(UnitInstalled(serial: "H9-001", site: "田间地头")))),
        Sample(
            name: "unit.installed minimal",
            line: #"{"type":"unit.installed","at":"2025-04-02","data":{"serial":"H9-001"}}"#,
            event: Event(at: "2025-04-02", day: day("2025-04-02"), body: .unitInstalled(UnitInstalled(serial: "H9-001")))),
        Sample(
            name: "complaint.lodged full",
            line: #"{"type":"complaint.lodged","at":"2025-06-20T08:30:00+08:00","id":"portal-c-1","by":"客服:王芳","data":{"complaint":"C-1","serial":"H9-001","part":"cutter-bar","fault":"割台异响，\"咔咔\"声 \\ 😀"}}"#,
            event: Event(at: "2025-06-20T08:30:00+08:00", day: day("2025-06-20"), id: "portal-c-1", by: "客服:王芳",
                         body: .complaintLodged(ComplaintLodged(complaint: "C-1", serial: "H9-001", part: "cutter-bar",
                                                                fault: "割台异响，\"咔咔\"声 \\ 😀")))),
        Sample(
            name: "complaint.lodged minimal",
            line: #"{"type":"complaint.lodged","at":"2025-07-15","data":{"complaint":"C-2","serial":"H9-002","fault":"皮带断裂"}}"#,
            event: Event(at: "2025-07-15", day: day("2025-07-15"),
                         body: .complaintLodged(ComplaintLodged(complaint: "C-2", serial: "H9-002", fault: "皮带断裂")))),
        Sample(
            name: "visit.recorded full",
            line: #"{"type":"visit.recorded","at":"2025-06-20T14:00:00+08:00","id":"v-1","by":"技师:李强","data":{"visit":"V-1","serial":"H9-001","dealer":"QD","complaint":"C-1","kind":"repair","finding":"defect","laborMinutes":100,"travel":3000,"resolved":false}}"#,
            event: Event(at: "2025-06-20T14:00:00+08:00", day: day("2025-06-20"), id: "v-1", by: "技师:李强",
                         body: .visitRecorded(VisitRecorded(visit: "V-1", serial: "H9-001", dealer: "QD", complaint: "C-1",
                                                            kind: .repair, finding: .defect, laborMinutes: 100,
                                                            travel: 3000, resolved: false)))),
        Sample(
            name: "visit.recorded minimal",
            line: #"{"type":"visit.recorded","at":"2025-08-01","data":{"visit":"V-9","serial":"H9-002","dealer":"WF","kind":"inspection","finding":"none","laborMinutes":0,"travel":0,"resolved":true}}"#,
            event: Event(at: "2025-08-01", day: day("2025-08-01"),
                         body: .visitRecorded(VisitRecorded(visit: "V-9", serial: "H9-002", dealer: "WF", kind: .inspection,
                                                            finding: .none, laborMinutes: 0, travel: 0, resolved: true)))),
        Sample(
            name: "visit.recorded return supplier",
            line: #"{"type":"visit.recorded","at":"2025-08-02","data":{"visit":"V-10","serial":"H9-002","dealer":"WF","kind":"return","finding":"supplier","laborMinutes":100000,"travel":1000000000000,"resolved":true}}"#,
            event: Event(at: "2025-08-02", day: day("2025-08-02"),
                         body: .visitRecorded(VisitRecorded(visit: "V-10", serial: "H9-002", dealer: "WF", kind: .return,
                                                            finding: .supplier, laborMinutes: 100_000,
                                                            travel: 1_000_000_000_000, resolved: true)))),
        Sample(
            name: "visit.recorded misuse",
            line: #"{"type":"visit.recorded","at":"2025-08-03","data":{"visit":"V-11","serial":"H9-002","dealer":"WF","kind":"repair","finding":"misuse","laborMinutes":45,"travel":500,"resolved":false}}"#,
            event: Event(at: "2025-08-03", day: day("2025-08-03"),
                         body: .visitRecorded(VisitRecorded(visit: "V-11", serial: "H9-002", dealer: "WF", kind: .repair,
                                                            finding: .misuse, laborMinutes: 45, travel: 500, resolved: false)))),
        Sample(
            name: "part.swapped full",
            line: #"{"type":"part.swapped","at":"2025-06-20T15:00:00+08:00","id":"s-1","by":"技师:李强","data":{"swap":"S-1","visit":"V-1","serial":"H9-001","part":"cutter-bar","removed":"CB-17","installed":"CB-90","cost":56000}}"#,
            event: Event(at: "2025-06-20T15:00:00+08:00", day: day("2025-06-20"), id: "s-1", by: "技师:李强",
                         body: .partSwapped(PartSwapped(swap: "S-1", visit: "V-1", serial: "H9-001", part: "cutter-bar",
                                                        removed: "CB-17", installed: "CB-90", cost: 56_000)))),
        Sample(
            name: "part.swapped minimal",
            line: #"{"type":"part.swapped","at":"2025-08-01","data":{"swap":"S-9","visit":"V-9","serial":"H9-002","part":"发动机","cost":1200000}}"#,
            event: Event(at: "2025-08-01", day: day("2025-08-01"),
                         body: .partSwapped(PartSwapped(swap: "S-9", visit: "V-9", serial: "H9-002", part: "发动机",
                                                        cost: 1_200_000)))),
        Sample(
            name: "part.returned full",
            line: #"{"type":"part.returned","at":"2025-06-28T17:45:00+08:00","id":"ret-S-1","by":"仓库","data":{"swap":"S-1"}}"#,
            event: Event(at: "2025-06-28T17:45:00+08:00", day: day("2025-06-28"), id: "ret-S-1", by: "仓库",
                         body: .partReturned(PartReturned(swap: "S-1")))),
        Sample(
            name: "part.returned minimal",
            line: #"{"type":"part.returned","at":"2025-06-28","data":{"swap":"S-1"}}"#,
            event: Event(at: "2025-06-28", day: day("2025-06-28"), body: .partReturned(PartReturned(swap: "S-1")))),
        Sample(
            name: "part.appraised full",
            line: #"{"type":"part.appraised","at":"2025-07-03","id":"ap-S-1","by":"技术部:赵工","data":{"swap":"S-1","verdict":"no-fault","disposition":"reusable"}}"#,
            event: Event(at: "2025-07-03", day: day("2025-07-03"), id: "ap-S-1", by: "技术部:赵工",
                         body: .partAppraised(PartAppraised(swap: "S-1", verdict: .noFault, disposition: .reusable)))),
        Sample(
            name: "part.appraised minimal",
            line: #"{"type":"part.appraised","at":"2025-07-03","data":{"swap":"S-1","verdict":"defect","disposition":"scrap"}}"#,
            event: Event(at: "2025-07-03", day: day("2025-07-03"),
                         body: .partAppraised(PartAppraised(swap: "S-1", verdict: .defect, disposition: .scrap)))),
        Sample(
            name: "part.appraised premature",
            line: #"{"type":"part.appraised","at":"2025-07-04","data":{"swap":"S-2","verdict":"premature","disposition":"scrap"}}"#,
            event: Event(at: "2025-07-04", day: day("2025-07-04"),
                         body: .partAppraised(PartAppraised(swap: "S-2", verdict: .premature, disposition: .scrap)))),
        Sample(
            name: "part.appraised misuse",
            line: #"{"type":"part.appraised","at":"2025-07-05","data":{"swap":"S-3","verdict":"misuse","disposition":"reusable"}}"#,
            event: Event(at: "2025-07-05", day: day("2025-07-05"),
                         body: .partAppraised(PartAppraised(swap: "S-3", verdict: .misuse, disposition: .reusable)))),
        Sample(
            name: "cost.written-off full",
            line: #"{"type":"cost.written-off","at":"2025-07-20","id":"hx-qd-07","by":"财务:陈会计","data":{"notice":"HX-2025-07-QD","dealer":"QD","lines":["S-1","V-1","V-2"],"amount":83000}}"#,
            event: Event(at: "2025-07-20", day: day("2025-07-20"), id: "hx-qd-07", by: "财务:陈会计",
                         body: .costWrittenOff(CostWrittenOff(notice: "HX-2025-07-QD", dealer: "QD",
                                                              lines: ["S-1", "V-1", "V-2"], amount: 83_000)))),
        Sample(
            name: "cost.written-off minimal",
            line: #"{"type":"cost.written-off","at":"2025-07-20","data":{"notice":"HX-2025-07-WF","dealer":"WF","lines":["V-3"],"amount":4500}}"#,
            event: Event(at: "2025-07-20", day: day("2025-07-20"),
                         body: .costWrittenOff(CostWrittenOff(notice: "HX-2025-07-WF", dealer: "WF", lines: ["V-3"],
                                                              amount: 4500)))),
        Sample(
            name: "writeoff.confirmed full",
            line: #"{"type":"writeoff.confirmed","at":"2025-07-24T20:00:00-05:00","id":"hx-qd-07-ok","by":"dealer:QD","data":{"notice":"HX-2025-07-QD"}}"#,
            event: Event(at: "2025-07-24T20:00:00-05:00", day: day("2025-07-25"), id: "hx-qd-07-ok", by: "dealer:QD",
                         body: .writeoffConfirmed(WriteoffConfirmed(notice: "HX-2025-07-QD")))),
        Sample(
            name: "writeoff.confirmed minimal",
            line: #"{"type":"writeoff.confirmed","at":"2025-07-25","data":{"notice":"HX-2025-07-QD"}}"#,
            event: Event(at: "2025-07-25", day: day("2025-07-25"),
                         body: .writeoffConfirmed(WriteoffConfirmed(notice: "HX-2025-07-QD")))),
        Sample(
            name: "dealer.invoiced full",
            line: #"{"type":"dealer.invoiced","at":"2025-02-01","id":"inv-001","by":"财务","data":{"dealer":"QD","invoice":"FP-001","amount":2000000}}"#,
            event: Event(at: "2025-02-01", day: day("2025-02-01"), id: "inv-001", by: "财务",
                         body: .dealerInvoiced(DealerInvoiced(dealer: "QD", invoice: "FP-001", amount: 2_000_000)))),
        Sample(
            name: "dealer.invoiced minimal",
            line: #"{"type":"dealer.invoiced","at":"2025-02-01","data":{"dealer":"QD","invoice":"FP-002","amount":0}}"#,
            event: Event(at: "2025-02-01", day: day("2025-02-01"),
                         body: .dealerInvoiced(DealerInvoiced(dealer: "QD", invoice: "FP-002", amount: 0)))),
        Sample(
            name: "payment.received full",
            line: #"{"type":"payment.received","at":"2025-03-15","id":"pay-1","by":"银行对账","data":{"dealer":"QD","amount":1000000000000,"ref":"HK-20250315-01"}}"#,
            event: Event(at: "2025-03-15", day: day("2025-03-15"), id: "pay-1", by: "银行对账",
                         body: .paymentReceived(PaymentReceived(dealer: "QD", amount: 1_000_000_000_000,
                                                                ref: "HK-20250315-01")))),
        Sample(
            name: "payment.received minimal",
            line: #"{"type":"payment.received","at":"2025-03-15","data":{"dealer":"WF","amount":50000}}"#,
            event: Event(at: "2025-03-15", day: day("2025-03-15"),
                         body: .paymentReceived(PaymentReceived(dealer: "WF", amount: 50_000)))),
        Sample(
            name: "unit.returned full",
            line: #"{"type":"unit.returned","at":"2025-04-05","id":"ret-H9-003","by":"dealer:QD","data":{"serial":"H9-003","refund":18000000}}"#,
            event: Event(at: "2025-04-05", day: day("2025-04-05"), id: "ret-H9-003", by: "dealer:QD",
                         body: .unitReturned(UnitReturned(serial: "H9-003", refund: 18_000_000)))),
        Sample(
            name: "unit.returned minimal",
            line: #"{"type":"unit.returned","at":"2025-04-05","data":{"serial":"H9-004","refund":0}}"#,
            event: Event(at: "2025-04-05", day: day("2025-04-05"),
                         body: .unitReturned(UnitReturned(serial: "H9-004", refund: 0)))),
        Sample(
            name: "unit.exchanged full",
            line: #"{"type":"unit.exchanged","at":"2025-04-12","id":"ex-1","by":"dealer:WF","data":{"serial":"H9-005","replacement":"H9-105"}}"#,
            event: Event(at: "2025-04-12", day: day("2025-04-12"), id: "ex-1", by: "dealer:WF",
                         body: .unitExchanged(UnitExchanged(serial: "H9-005", replacement: "H9-105")))),
        Sample(
            name: "unit.exchanged minimal",
            line: #"{"type":"unit.exchanged","at":"2025-04-12","data":{"serial":"H9-006","replacement":"H9-106"}}"#,
            event: Event(at: "2025-04-12", day: day("2025-04-12"),
                         body: .unitExchanged(UnitExchanged(serial: "H9-006", replacement: "H9-106")))),
        Sample(
            name: "event.voided full",
            line: #"{"type":"event.voided","at":"2025-07-26","id":"void-12","by":"审计:周","data":{"seq":12,"reason":"重复录入：同一次维修登记两次"}}"#,
            event: Event(at: "2025-07-26", day: day("2025-07-26"), id: "void-12", by: "审计:周",
                         body: .eventVoided(EventVoided(seq: 12, reason: "重复录入：同一次维修登记两次")))),
        Sample(
            name: "event.voided minimal",
            line: #"{"type":"event.voided","at":"2025-07-26","data":{"seq":9223372036854775807,"reason":"typo"}}"#,
            event: Event(at: "2025-07-26", day: day("2025-07-26"),
                         body: .eventVoided(EventVoided(seq: Int64.max, reason: "typo")))),
    ]
}
