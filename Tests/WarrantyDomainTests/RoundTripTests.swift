import JSONText
import Testing
import WarrantyDomain

@Suite("JSON → Event → binary → Event → JSON")
struct RoundTripTests {
    @Test(arguments: Samples.all)
    func roundTrip(_ sample: Sample) throws {
        let json = try JSONParser.parse(sample.line)
        let event = try EventDecoder.decode(json, zone: .chinaStandard)
        #expect(event == sample.event)

        let bytes = EventCodec.encode(event)
        let stored = try EventCodec.decode(bytes)
        #expect(stored == event)

        let written = EventEncoder.encode(stored)
        #expect(written == json)
        #expect(JSONWriter.string(written) == sample.line)
        #expect(try EventDecoder.decode(written, zone: .chinaStandard) == event)
    }

    @Test func samplesCoverEveryTypeFullAndMinimal() {
        for type in EventType.allCases {
            #expect(Samples.all.contains { $0.name == "\(type.rawValue) full" }, "\(type.rawValue) full")
            #expect(Samples.all.contains { $0.name == "\(type.rawValue) minimal" }, "\(type.rawValue) minimal")
            #expect(Samples.all.contains { $0.name.hasPrefix(type.rawValue + " ") && $0.event.type == type })
        }
    }

    @Test func encodingAppendsToExistingBytes() throws {
        var buffer: [UInt8] = [0xAA, 0xBB]
        EventCodec.encode(Samples.all[0].event, into: &buffer)
        #expect(Array(buffer.prefix(2)) == [0xAA, 0xBB])
        #expect(try EventCodec.decode(Array(buffer.dropFirst(2))) == Samples.all[0].event)
    }

    @Test func optionalFieldsMayBeNull() throws {
        let line = #"{"type":"unit.sold","at":"2025-04-01","id":null,"by":null,"data":{"serial":"S","model":"M","dealer":"D","customer":null,"invoice":null,"price":1}}"#
        let event = try EventDecoder.decode(JSONParser.parse(line), zone: .chinaStandard)
        #expect(event == Event(at: "2025-04-01", day: day("2025-04-01"),
                               body: .unitSold(UnitSold(serial: "S", model: "M", dealer: "D", price: 1))))
    }

    @Test func memberOrderOfInputDoesNotMatter() throws {
        let line = #"{"data":{"price":18000000,"dealer":"WF","model":"H-9","serial":"H9-002"},"at":"2025-04-01","type":"unit.sold"}"#
        let event = try EventDecoder.decode(JSONParser.parse(line), zone: .chinaStandard)
        #expect(event == Samples.all.first { $0.name == "unit.sold minimal" }!.event)
    }
}
