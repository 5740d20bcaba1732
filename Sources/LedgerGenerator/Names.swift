/// Chinese place and people names for dealers, customers and sites, drawn from the simulation's random source.
enum Names {
    /// A prefecture-level city: its name, its province and short letter codes for identifiers.
    struct City {
        let name: String
        let province: String
        let code: String
        let provinceCode: String
        /// Whether the province is a municipality, written without 省.
        var municipality: Bool { name == province }
    }

    static let cities: [City] = [
        City(name: "潍坊", province: "山东", code: "WF", provinceCode: "SD"),
        City(name: "临沂", province: "山东", code: "LY", provinceCode: "SD"),
        City(name: "济南", province: "山东", code: "JN", provinceCode: "SD"),
        City(name: "德州", province: "山东", code: "DZ", provinceCode: "SD"),
        City(name: "石家庄", province: "河北", code: "SJZ", provinceCode: "HE"),
        City(name: "保定", province: "河北", code: "BD", provinceCode: "HE"),
        City(name: "邯郸", province: "河北", code: "HD", provinceCode: "HE"),
        City(name: "郑州", province: "河南", code: "ZZ", provinceCode: "HA"),
        City(name: "周口", province: "河南", code: "ZK", provinceCode: "HA"),
        City(name: "南阳", province: "河南", code: "NY", provinceCode: "HA"),
        City(name: "驻马店", province: "河南", code: "ZMD", provinceCode: "HA"),
        City(name: "哈尔滨", province: "黑龙江", code: "HRB", provinceCode: "HL"),
        City(name: "佳木斯", province: "黑龙江", code: "JMS", provinceCode: "HL"),
        City(name: "长春", province: "吉林", code: "CC", provinceCode: "JL"),
        City(name: "四平", province: "吉林", code: "SP", provinceCode: "JL"),
        City(name: "沈阳", province: "辽宁", code: "SY", provinceCode: "LN"),
        City(name: "合肥", province: "安徽", code: "HF", provinceCode: "AH"),
        City(name: "阜阳", province: "安徽", code: "FY", provinceCode: "AH"),
        City(name: "南京", province: "江苏", code: "NJ", provinceCode: "JS"),
        City(name: "徐州", province: "江苏", code: "XZ", provinceCode: "JS"),
        City(name: "盐城", province: "江苏", code: "YC", provinceCode: "JS"),
        City(name: "武汉", province: "湖北", code: "WH", provinceCode: "HB"),
        City(name: "襄阳", province: "湖北", code: "XY", provinceCode: "HB"),
        City(name: "长沙", province: "湖南", code: "CS", provinceCode: "HN"),
        City(name: "常德", province: "湖南", code: "CD", provinceCode: "HN"),
        City(name: "成都", province: "四川", code: "CDU", provinceCode: "SC"),
        City(name: "绵阳", province: "四川", code: "MY", provinceCode: "SC"),
        City(name: "西安", province: "陕西", code: "XA", provinceCode: "SN"),
        City(name: "兰州", province: "甘肃", code: "LZ", provinceCode: "GS"),
        City(name: "乌鲁木齐", province: "新疆", code: "WLMQ", provinceCode: "XJ"),
        City(name: "昌吉", province: "新疆", code: "CJ", provinceCode: "XJ"),
        City(name: "呼和浩特", province: "内蒙古", code: "HHHT", provinceCode: "NM"),
        City(name: "赤峰", province: "内蒙古", code: "CF", provinceCode: "NM"),
        City(name: "太原", province: "山西", code: "TY", provinceCode: "SX"),
        City(name: "银川", province: "宁夏", code: "YCH", provinceCode: "NX"),
        City(name: "南宁", province: "广西", code: "NN", provinceCode: "GX"),
        City(name: "昆明", province: "云南", code: "KM", provinceCode: "YN"),
        City(name: "杭州", province: "浙江", code: "HZ", provinceCode: "ZJ"),
        City(name: "宁波", province: "浙江", code: "NB", provinceCode: "ZJ"),
        City(name: "福州", province: "福建", code: "FZ", provinceCode: "FJ"),
        City(name: "佛山", province: "广东", code: "FS", provinceCode: "GD"),
        City(name: "南昌", province: "江西", code: "NC", provinceCode: "JX"),
        City(name: "贵阳", province: "贵州", code: "GY", provinceCode: "GZ"),
        City(name: "重庆", province: "重庆", code: "CQ", provinceCode: "CQ"),
        City(name: "天津", province: "天津", code: "TJ", provinceCode: "TJ"),
    ]

    /// Trade-name words between the city and the kind of business, as in 潍坊丰收农机服务站.
    static let tradeWords = ["丰收", "金穗", "鲁丰", "中原", "华农", "兴农", "顺达", "宏发", "安居", "恒通",
                             "永盛", "鑫源", "瑞丰", "大地", "北方", "天成", "惠民", "康达", "盛世", "红旗"]

    static func businessKinds(_ specialty: Specialty) -> [String] {
        switch specialty {
        case .farm: ["农机服务站", "农机有限公司", "农业机械经销部", "农机销售服务中心", "农机专业合作社服务部"]
        case .vehicle: ["专用汽车销售服务有限公司", "专用车服务站", "环卫设备有限公司", "汽车贸易有限公司"]
        case .building: ["门业经销部", "建材照明商行", "照明电器有限公司", "门业服务中心", "机电设备有限公司"]
        }
    }

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
    static let givenNames = ["建国", "卫东", "志强", "秀英", "桂兰", "海燕", "国庆", "红梅", "春生", "永刚",
                             "德明", "玉珍", "立新", "振华", "晓东", "丽娟", "文杰", "金山", "宝林", "凤英",
                             "明", "伟", "军", "勇", "静", "磊", "洋", "艳", "杰", "涛", "超", "霞", "刚", "平"]
    static let villages = ["王家庄", "李家屯", "张庄", "刘集", "陈家湾", "杨树屯", "赵庄", "黄河滩", "东营子", "西关", "南岗", "北坡"]
    static let farmOrganisations = ["农机专业合作社", "种植专业合作社", "家庭农场", "粮食种植合作社"]
    static let vehicleCustomers = ["市环境卫生管理处", "城市管理局", "市政工程有限公司", "城投建设集团", "园林绿化有限公司", "水务集团"]
    static let buildingCustomers = ["物业管理有限公司", "建筑工程有限公司", "工业园管委会", "置业有限公司", "第一中学", "人民医院", "物流有限公司"]

    /// A person's name, e.g. 王建国.
    static func person(_ random: inout RandomSource) -> String {
        String(random.pick(surnames)) + random.pick(givenNames)
    }

    /// A pool of customers for one specialty: people and organisations near the dealers.
    static func customers(_ specialty: Specialty, count: Int, _ random: inout RandomSource) -> [String] {
        (0..<count).map { _ in
            let city = random.pick(cities).name
            switch specialty {
            case .farm:
                return random.chance(0.6) ? person(&random)
                    : city + random.pick(villages) + random.pick(farmOrganisations)
            case .vehicle:
                return city + random.pick(vehicleCustomers)
            case .building:
                return random.chance(0.3) ? person(&random)
                    : city + random.pick(tradeWords) + random.pick(buildingCustomers)
            }
        }
    }
}
