/// The built-in sample of `ledger demo`: the worked example of SPEC.md, a harvester dealer network in Shandong.
enum Sample {
    static let harvester = #"""
{"type": "policy.published", "at": "2025-01-01", "data": {"policy": "P-HARVESTER-2025", "models": ["H-9"], "effective": "2025-01-01", "clockStart": "install", "returnDays": 7, "exchangeDays": 15, "warrantyMonths": 12, "components": [{"part": "cutter-bar", "months": 3}], "excluded": ["belt"], "laborRate": 9000}}
{"type": "dealer.enrolled", "at": "2025-01-01", "data": {"dealer": "QD", "name": "青岛农机服务站", "region": "山东"}}
{"type": "dealer.enrolled", "at": "2025-01-01", "data": {"dealer": "WF", "name": "潍坊经销商"}}
{"type": "dealer.invoiced", "at": "2025-02-01", "data": {"dealer": "QD", "invoice": "FP-001", "amount": 2000000}}
{"type": "unit.sold", "at": "2025-03-31", "data": {"serial": "H9-001", "model": "H-9", "dealer": "QD", "customer": "合作社-7", "price": 18000000}, "id": "sale-H9-001"}
{"type": "card.registered", "at": "2025-04-10", "data": {"serial": "H9-001"}}
{"type": "unit.installed", "at": "2025-04-02", "data": {"serial": "H9-001", "site": "田间地头"}}
{"type": "unit.sold", "at": "2025-04-01", "data": {"serial": "H9-002", "model": "H-9", "dealer": "WF", "price": 18000000}}
{"type": "complaint.lodged", "at": "2025-06-20T08:30:00+08:00", "data": {"complaint": "C-1", "serial": "H9-001", "part": "cutter-bar", "fault": "割台异响"}}
{"type": "visit.recorded", "at": "2025-06-20T14:00:00+08:00", "data": {"visit": "V-1", "serial": "H9-001", "dealer": "QD", "complaint": "C-1", "kind": "repair", "finding": "defect", "laborMinutes": 100, "travel": 3000, "resolved": false}}
{"type": "part.swapped", "at": "2025-06-20T15:00:00+08:00", "data": {"swap": "S-1", "visit": "V-1", "serial": "H9-001", "part": "cutter-bar", "removed": "CB-17", "installed": "CB-90", "cost": 56000}}
{"type": "visit.recorded", "at": "2025-06-23T09:00:00+08:00", "data": {"visit": "V-2", "serial": "H9-001", "dealer": "QD", "complaint": "C-1", "kind": "repair", "finding": "defect", "laborMinutes": 40, "travel": 3000, "resolved": true}}
{"type": "part.returned", "at": "2025-06-28", "data": {"swap": "S-1"}}
{"type": "part.appraised", "at": "2025-07-03", "data": {"swap": "S-1", "verdict": "defect", "disposition": "scrap"}}
{"type": "complaint.lodged", "at": "2025-07-15", "data": {"complaint": "C-2", "serial": "H9-002", "part": "belt", "fault": "皮带断裂"}}
{"type": "visit.recorded", "at": "2025-07-15T16:00:00+08:00", "data": {"visit": "V-3", "serial": "H9-002", "dealer": "WF", "complaint": "C-2", "kind": "repair", "finding": "defect", "laborMinutes": 30, "travel": 0, "resolved": true}}
{"type": "cost.written-off", "at": "2025-07-20", "data": {"notice": "HX-2025-07-QD", "dealer": "QD", "lines": ["S-1", "V-1", "V-2"], "amount": 83000}}
{"type": "writeoff.confirmed", "at": "2025-07-25", "data": {"notice": "HX-2025-07-QD"}}
"""#
}
