import WarrantyDomain

extension Family {
    /// The factory's five product families with their policies, the first published on `start`.
    ///
    /// Terms follow real 三包 service plans: a short whole-unit warranty with longer cover for the
    /// main components, wear parts excluded, and later re-publications that improve the terms for
    /// units sold from their effective day.
    static func catalogue(start: Day) -> [Family] {
        [tractor(start), harvester(start), specialVehicle(start), door(start), lighting(start)]
    }

    /// The policy name for a family and the year its terms take effect, e.g. `P-TRACTOR-2023`.
    private static func policyName(_ key: String, _ effective: Day) -> String {
        "P-\(key)-\(effective.civil.year)"
    }

    private static func tractor(_ start: Day) -> Family {
        let models = ["LT-504", "LT-704", "LT-904"]
        let renewal = start.adding(months: 30)
        return Family(
            key: "TRACTOR", specialty: .farm, salesWeight: 30,
            models: [
                ModelSpec(name: "LT-504", serialPrefix: "LT504", priceFen: 9_800_000...12_800_000),
                ModelSpec(name: "LT-704", serialPrefix: "LT704", priceFen: 14_500_000...16_800_000),
                ModelSpec(name: "LT-904", serialPrefix: "LT904", priceFen: 21_000_000...24_500_000),
            ],
            parts: [
                PartSpec(name: "engine", weight: 14, costFen: 280_000...1_800_000, partNumber: "YC4A",
                         faults: ["发动机冒黑烟", "发动机启动困难", "发动机异响", "机油压力低", "水温过高，开锅"]),
                PartSpec(name: "gearbox", weight: 10, costFen: 180_000...900_000, partNumber: "GB-LT",
                         faults: ["变速箱挂挡困难", "变速箱异响", "变速箱漏油", "跳挡"]),
                PartSpec(name: "hydraulic-pump", weight: 8, costFen: 80_000...260_000, partNumber: "CBN-E",
                         faults: ["液压提升无力", "液压泵漏油", "农具提升缓慢"]),
                PartSpec(name: "clutch", weight: 8, costFen: 60_000...180_000, partNumber: "CL-280",
                         faults: ["离合器打滑", "离合器分离不彻底", "离合踏板沉重"]),
                PartSpec(name: "electrical", weight: 7, costFen: 5_000...60_000, partNumber: "EL-12V",
                         faults: ["仪表盘不显示", "电瓶亏电", "大灯不亮", "启动电机不转"]),
                PartSpec(name: "front-axle", weight: 4, costFen: 150_000...600_000, partNumber: "FA-4WD",
                         faults: ["前桥异响", "前轮摆头", "前桥漏油"]),
                PartSpec(name: "belt", weight: 4, costFen: 3_000...12_000, partNumber: "B-V",
                         faults: ["皮带断裂", "皮带打滑"]),
                PartSpec(name: "tyre", weight: 3, costFen: 80_000...260_000, partNumber: "TY-169",
                         faults: ["轮胎鼓包", "轮胎漏气", "轮胎偏磨"]),
                PartSpec(name: "filter", weight: 2, costFen: 2_000...8_000, partNumber: "JX0810",
                         faults: ["滤芯堵塞", "空滤报警"]),
            ],
            unitFaults: ["整机无法启动", "动力不足", "客户反映油耗偏高", "整机抖动严重"],
            releases: [
                PolicyRelease(published: start, policy: PolicyPublished(
                    policy: policyName("TRACTOR", start), models: models, effective: start, clockStart: .sale,
                    returnDays: 7, exchangeDays: 15, warrantyMonths: 12,
                    components: [.init(part: "engine", months: 24), .init(part: "gearbox", months: 18)],
                    excluded: ["belt", "tyre", "filter"], escalateAfter: 2, registrationDays: 20, laborRate: 6_000)),
                PolicyRelease(published: renewal.adding(days: -30), policy: PolicyPublished(
                    policy: policyName("TRACTOR", renewal), models: models, effective: renewal, clockStart: .sale,
                    returnDays: 7, exchangeDays: 15, warrantyMonths: 18,
                    components: [.init(part: "engine", months: 30), .init(part: "gearbox", months: 24),
                                 .init(part: "hydraulic-pump", months: 12)],
                    excluded: ["belt", "tyre", "filter"], escalateAfter: 2, registrationDays: 20,
                    laborRate: 7_200, sla: .init(onsiteHours: 48, resolveHours: 120))),
            ],
            laborMinutes: 60...420, travelFen: 0...40_000, complaintGapDays: 330,
            installDelayDays: 0...0, sites: [])
    }

    private static func harvester(_ start: Day) -> Family {
        Family(
            key: "HARVEST", specialty: .farm, salesWeight: 12,
            models: [
                ModelSpec(name: "4LZ-6", serialPrefix: "4LZ6", priceFen: 18_000_000...22_000_000),
                ModelSpec(name: "4LZ-8", serialPrefix: "4LZ8", priceFen: 26_000_000...32_000_000),
            ],
            parts: [
                PartSpec(name: "engine", weight: 10, costFen: 350_000...2_200_000, partNumber: "YC6J",
                         faults: ["发动机冒黑烟", "发动机功率不足", "发动机异响"]),
                PartSpec(name: "cutter-bar", weight: 12, costFen: 30_000...90_000, partNumber: "CB",
                         faults: ["割台异响", "割刀断裂", "割台跑偏"]),
                PartSpec(name: "threshing-drum", weight: 9, costFen: 120_000...480_000, partNumber: "TD",
                         faults: ["脱粒滚筒堵塞", "滚筒轴承损坏", "脱粒不净"]),
                PartSpec(name: "gearbox", weight: 6, costFen: 200_000...800_000, partNumber: "GB-4LZ",
                         faults: ["变速箱异响", "行走无力"]),
                PartSpec(name: "grain-auger", weight: 5, costFen: 20_000...70_000, partNumber: "GA",
                         faults: ["卸粮绞龙卡死", "绞龙变形"]),
                PartSpec(name: "belt", weight: 5, costFen: 4_000...15_000, partNumber: "B-HB",
                         faults: ["皮带断裂", "皮带打滑烧焦"]),
                PartSpec(name: "chain", weight: 3, costFen: 6_000...25_000, partNumber: "CH-12A",
                         faults: ["链条断裂", "链条跳齿"]),
            ],
            unitFaults: ["整机无法行走", "收获损失率高", "客户反映作业效率低"],
            releases: [
                PolicyRelease(published: start, policy: PolicyPublished(
                    policy: policyName("HARVEST", start), models: ["4LZ-6", "4LZ-8"], effective: start,
                    clockStart: .install, returnDays: 7, exchangeDays: 15, warrantyMonths: 12,
                    components: [.init(part: "engine", months: 24), .init(part: "cutter-bar", months: 3)],
                    excluded: ["belt", "chain"],
                    partReturnDeadlines: [.init(month: 6, day: 30), .init(month: 12, day: 31)],
                    retentionYears: 5, laborRate: 9_000)),
            ],
            laborMinutes: 90...480, travelFen: 5_000...60_000, complaintGapDays: 210,
            installDelayDays: 1...12, sites: ["田间地头", "村东晒场", "农场机库", "合作社机库", "交机现场"])
    }

    private static func specialVehicle(_ start: Day) -> Family {
        Family(
            key: "SPV", specialty: .vehicle, salesWeight: 8,
            models: [
                ModelSpec(name: "CLW5040GSS", serialPrefix: "GSS5040", priceFen: 15_800_000...19_800_000),
                ModelSpec(name: "CLW5160ZYS", serialPrefix: "ZYS5160", priceFen: 38_000_000...45_000_000),
            ],
            parts: [
                PartSpec(name: "chassis", weight: 8, costFen: 200_000...1_500_000, partNumber: "DF-CH",
                         faults: ["底盘异响", "大梁开裂", "转向沉重"]),
                PartSpec(name: "hydraulic-system", weight: 10, costFen: 60_000...400_000, partNumber: "HS",
                         faults: ["举升油缸漏油", "液压系统压力不足", "压缩机构动作缓慢"]),
                PartSpec(name: "pump", weight: 8, costFen: 40_000...180_000, partNumber: "WP-65",
                         faults: ["水泵不出水", "水泵密封漏水", "洒水压力不足"]),
                PartSpec(name: "electrical", weight: 6, costFen: 8_000...90_000, partNumber: "EL-24V",
                         faults: ["控制面板失灵", "警示灯不亮", "线束短路"]),
                PartSpec(name: "cab", weight: 3, costFen: 30_000...300_000, partNumber: "CAB",
                         faults: ["驾驶室漏雨", "车门关不严"]),
                PartSpec(name: "tyre", weight: 3, costFen: 120_000...320_000, partNumber: "TY-825",
                         faults: ["轮胎鼓包", "轮胎异常磨损"]),
                PartSpec(name: "wiper", weight: 2, costFen: 2_000...9_000, partNumber: "WB",
                         faults: ["雨刮不工作", "雨刮刮不干净"]),
                PartSpec(name: "brake-pad", weight: 3, costFen: 6_000...30_000, partNumber: "BP",
                         faults: ["刹车片磨损过快", "制动异响"]),
            ],
            unitFaults: ["车辆无法启动", "上装整体无法作业", "客户反映油耗高"],
            releases: [
                PolicyRelease(published: start, policy: PolicyPublished(
                    policy: policyName("SPV", start), models: ["CLW5040GSS", "CLW5160ZYS"], effective: start,
                    clockStart: .sale, returnDays: 15, exchangeDays: 30, warrantyMonths: 12,
                    components: [.init(part: "chassis", months: 24), .init(part: "hydraulic-system", months: 12),
                                 .init(part: "pump", months: 6)],
                    excluded: ["tyre", "wiper", "brake-pad"], escalateAfter: 3, maxRepairDays: 30,
                    registrationDays: 30, retentionYears: 8, laborRate: 12_000,
                    sla: .init(onsiteHours: 24, resolveHours: 72))),
            ],
            laborMinutes: 60...600, travelFen: 0...80_000, complaintGapDays: 190,
            installDelayDays: 0...0, sites: [])
    }

    private static func door(_ start: Day) -> Family {
        let models = ["GFM-1021", "JLM-3030"]
        let renewal = start.adding(months: 36)
        return Family(
            key: "DOOR", specialty: .building, salesWeight: 25,
            models: [
                ModelSpec(name: "GFM-1021", serialPrefix: "GFM1021", priceFen: 280_000...480_000),
                ModelSpec(name: "JLM-3030", serialPrefix: "JLM3030", priceFen: 800_000...1_600_000),
            ],
            parts: [
                PartSpec(name: "motor", weight: 8, costFen: 30_000...120_000, partNumber: "MT-600",
                         faults: ["电机不转", "电机过热保护", "卷帘门升降卡顿"]),
                PartSpec(name: "lock", weight: 10, costFen: 5_000...30_000, partNumber: "LK",
                         faults: ["门锁卡死", "锁芯损坏", "钥匙打不开"]),
                PartSpec(name: "hinge", weight: 6, costFen: 2_000...8_000, partNumber: "HG",
                         faults: ["合页断裂", "门扇下沉"]),
                PartSpec(name: "closer", weight: 6, costFen: 8_000...25_000, partNumber: "DC",
                         faults: ["闭门器漏油", "关门速度过快"]),
                PartSpec(name: "control-box", weight: 5, costFen: 15_000...60_000, partNumber: "CB-K",
                         faults: ["控制箱无反应", "限位失灵"]),
                PartSpec(name: "seal", weight: 3, costFen: 1_000...5_000, partNumber: "SL",
                         faults: ["密封条脱落", "密封条老化"]),
                PartSpec(name: "remote-battery", weight: 2, costFen: 500...2_000, partNumber: "CR2032",
                         faults: ["遥控器电池没电", "遥控距离变短"]),
            ],
            unitFaults: ["门体变形", "开关门异响", "客户反映防火等级不符"],
            releases: [
                PolicyRelease(published: start, policy: PolicyPublished(
                    policy: policyName("DOOR", start), models: models, effective: start, clockStart: .install,
                    returnDays: 7, exchangeDays: 15, warrantyMonths: 24,
                    components: [.init(part: "motor", months: 36), .init(part: "lock", months: 12)],
                    excluded: ["seal", "remote-battery"], registrationDays: 30,
                    partReturnDeadlines: [.init(month: 3, day: 31), .init(month: 9, day: 30)],
                    retentionYears: 10, laborRate: 5_000)),
                PolicyRelease(published: renewal.adding(days: -45), policy: PolicyPublished(
                    policy: policyName("DOOR", renewal), models: models, effective: renewal, clockStart: .install,
                    returnDays: 7, exchangeDays: 15, warrantyMonths: 36,
                    components: [.init(part: "motor", months: 48), .init(part: "lock", months: 12)],
                    excluded: ["seal", "remote-battery"], registrationDays: 30,
                    partReturnDeadlines: [.init(month: 3, day: 31), .init(month: 9, day: 30)],
                    retentionYears: 10, laborRate: 5_500)),
            ],
            laborMinutes: 30...180, travelFen: 0...8_000, complaintGapDays: 560,
            installDelayDays: 2...30, sites: ["小区3号楼", "工业园厂房", "商业广场地下车库", "中学教学楼", "人民医院住院部", "物流园仓库"])
    }

    private static func lighting(_ start: Day) -> Family {
        Family(
            key: "LIGHT", specialty: .building, salesWeight: 25,
            models: [
                ModelSpec(name: "LED-ST150", serialPrefix: "ST150", priceFen: 120_000...280_000),
                ModelSpec(name: "LED-HB240", serialPrefix: "HB240", priceFen: 90_000...190_000),
            ],
            parts: [
                PartSpec(name: "driver", weight: 12, costFen: 8_000...30_000, partNumber: "DRV-150W",
                         faults: ["驱动电源损坏", "灯具频闪", "通电不亮"]),
                PartSpec(name: "led-module", weight: 8, costFen: 15_000...60_000, partNumber: "LM",
                         faults: ["灯珠死灯", "光衰严重", "色温不一致"]),
                PartSpec(name: "housing", weight: 3, costFen: 5_000...20_000, partNumber: "HS-AL",
                         faults: ["灯壳进水", "散热器开裂"]),
                PartSpec(name: "surge-protector", weight: 4, costFen: 2_000...8_000, partNumber: "SPD",
                         faults: ["防雷模块烧毁", "雷击后不亮"]),
                PartSpec(name: "bulb", weight: 3, costFen: 500...3_000, partNumber: "BLB",
                         faults: ["灯泡不亮", "灯泡发黑"]),
                PartSpec(name: "lens", weight: 2, costFen: 1_000...4_000, partNumber: "LNS",
                         faults: ["透镜发黄", "透镜破裂"]),
            ],
            unitFaults: ["整灯不亮", "照度不达标", "客户反映耗电异常"],
            releases: [
                PolicyRelease(published: start, policy: PolicyPublished(
                    policy: policyName("LIGHT", start), models: ["LED-ST150", "LED-HB240"], effective: start,
                    clockStart: .install, returnDays: 15, exchangeDays: 30, warrantyMonths: 36,
                    components: [.init(part: "driver", months: 24), .init(part: "led-module", months: 60)],
                    excluded: ["bulb", "lens"],
                    partReturnDeadlines: [.init(month: 3, day: 31), .init(month: 6, day: 30),
                                          .init(month: 9, day: 30), .init(month: 12, day: 31)],
                    laborRate: 4_000)),
            ],
            laborMinutes: 20...120, travelFen: 0...15_000, complaintGapDays: 640,
            installDelayDays: 1...20, sites: ["滨河大道", "人民路", "镇主干道", "工业园区道路", "高速服务区", "厂区仓库", "体育馆"])
    }
}
