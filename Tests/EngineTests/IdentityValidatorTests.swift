@testable import Engine
import Testing

/// ID numbers here are made up: region, date and sequence chosen freely, the
/// check character computed (and cross-checked by hand in `knownCheckCharacters`).
@Suite("Identity field validators")
struct IdentityValidatorTests {
    /// Appends the ISO 7064 MOD 11-2 check character to seventeen digits.
    static func withCheckCharacter(_ first17: String) -> String {
        first17 + String(ChineseIDNumber.checkCharacter(first17.compactMap(\.wholeNumberValue)) ?? "?")
    }

    @Test("mobile numbers in pasted formats normalise to eleven digits", arguments: [
        "13800138000", "138-0013-8000", "138 0013 8000", "+86 13800138000", "+8613800138000", "86-13800138000",
        "0086 13800138000", "+86-138-0013-8000", "(+86) 138 0013 8000", "１３８００１３８０００", " 13800138000 ",
    ])
    func validPhone(_ text: String) throws {
        #expect(try MainlandPhone(text).digits == "13800138000")
    }

    @Test("every second digit 3 to 9 is a mobile prefix", arguments: 3...9)
    func mobilePrefixes(_ second: Int) throws {
        #expect(try MainlandPhone("1\(second)912345678").digits == "1\(second)912345678")
    }

    @Test("anything but a mainland mobile number is refused", arguments: [
        "", "12800138000", "10012345678", "1380013800", "138001380001", "0755-12345678", "+1 13800138000",
        "138-0013-800a", "13800138000+", "++8613800138000", "138.0013.8000", "86 1380013800", "😀13800138000",
        String(repeating: "1", count: 40),
    ])
    func invalidPhone(_ text: String) {
        #expect(throws: IdentityFieldError.phoneFormat) { try MainlandPhone(text) }
    }

    @Test("a phone shows only its first three and last four digits")
    func maskedPhone() throws {
        let phone = try MainlandPhone("13812341234")
        #expect(phone.masked == "138****1234")
        #expect(phone.description == "138****1234")
        #expect("\(phone)" == "138****1234")
    }

    @Test("the check character matches ones computed by hand", arguments: [
        "11010519491231002X", "44030519900101123X", "310115200002294567", "51010719851120001X", "650102201010108761",
        "110101199003070011", "220104201212123452", "460000197608151112", "820000199909099991", "710100198001010016",
        "350102197001010025", "640106198812315438",
    ])
    func knownCheckCharacters(_ number: String) throws {
        #expect(Self.withCheckCharacter(String(number.prefix(17))) == number)
        #expect(try ChineseIDNumber(number).value == number)
    }

    @Test("a valid ID number keeps its region and birth date")
    func validIDNumber() throws {
        let number = try ChineseIDNumber(Self.withCheckCharacter("44030519900101123"))
        #expect(number.value == "44030519900101123X")
        #expect(number.regionCode == 440305)
        #expect(number.birthDate == ChineseIDNumber.BirthDate(year: 1990, month: 1, day: 1))
        #expect(number.birthDate < ChineseIDNumber.BirthDate(year: 1990, month: 1, day: 2))
    }

    @Test("a lowercase x, full-width characters and surrounding spaces are accepted and normalised")
    func lenientIDNumber() throws {
        #expect(try ChineseIDNumber("11010519491231002x").value == "11010519491231002X")
        #expect(try ChineseIDNumber(" 11010519491231002X\n").value == "11010519491231002X")
        #expect(try ChineseIDNumber("１１０１０５１９４９１２３１００２Ｘ").value == "11010519491231002X")
        #expect(try ChineseIDNumber("１１０１０５１９４９１２３１００２ｘ").value == "11010519491231002X")
    }

    @Test("a wrong check character is refused", arguments: [
        "110105194912310020", "110105194912310021", "440305199001011239", "31011520000229456X",
    ])
    func wrongChecksum(_ number: String) {
        #expect(throws: IdentityFieldError.idNumberChecksum) { try ChineseIDNumber(number) }
    }

    @Test("a birth date that does not exist is refused", arguments: [
        "19990230", "19000229", "21000229", "19991301", "19990001", "19990100", "19990431", "18991231", "20230229",
    ])
    func invalidBirthDate(_ date: String) {
        let number = Self.withCheckCharacter("440305" + date + "123")
        #expect(throws: IdentityFieldError.idNumberBirthDate) { try ChineseIDNumber(number) }
    }

    @Test("leap days and month ends that exist are accepted", arguments: ["20000229", "20240229", "19991231", "19000131"])
    func validBirthDate(_ date: String) throws {
        _ = try ChineseIDNumber(Self.withCheckCharacter("440305" + date + "123"))
    }

    @Test("a wrong length is refused with the length found", arguments: [
        ("", 0), ("1101051949123100", 16), ("11010519491231002", 17), ("11010519491231002X1", 19),
        ("110105491231002", 15), ("1101 0519 4912 3100 2X", 22),
    ])
    func wrongLength(_ number: String, _ count: Int) {
        #expect(throws: IdentityFieldError.idNumberLength(countFound: count)) { try ChineseIDNumber(number) }
    }

    @Test("letters in the digits or X before the end are refused", arguments: [
        "1101051949123100X2", "A1010519491231002X", "11010519491231002Y", "11010519491231002😀",
    ])
    func wrongCharacters(_ number: String) {
        #expect(throws: IdentityFieldError.idNumberCharacters) { try ChineseIDNumber(number) }
    }

    @Test("a region prefix that is no province is refused", arguments: ["00", "10", "39", "99"])
    func wrongRegion(_ prefix: String) {
        let number = Self.withCheckCharacter(prefix + "0105" + "19900101" + "123")
        #expect(throws: IdentityFieldError.idNumberRegion) { try ChineseIDNumber(number) }
    }

    @Test("an ID number shows only its first four and last four characters")
    func maskedIDNumber() throws {
        let number = try ChineseIDNumber("11010519491231002X")
        #expect(number.masked == "1101**********002X")
        #expect(number.masked.count == 18)
        #expect(number.description == number.masked)
    }

    @Test("real names in Chinese or Latin letters are accepted and tidied", arguments: [
        ("张三", "张三"), ("欧阳娜娜", "欧阳娜娜"), ("买买提·艾力", "买买提·艾力"), ("买买提•艾力", "买买提·艾力"),
        ("  王小明 ", "王小明"), ("Tom Smith", "Tom Smith"), ("  Tom   Smith ", "Tom Smith"), ("José Núñez", "José Núñez"),
        ("Jose\u{301} Nu\u{301}n\u{303}ez", "José Núñez"), ("AB", "AB"),
    ])
    func validRealName(_ text: String, _ value: String) throws {
        #expect(try RealName(text).value == value)
    }

    @Test("names too short or too long are refused with the length found", arguments: [
        ("张", 1), ("", 0), (String(repeating: "张", count: 21), 21), (String(repeating: "a", count: 81), 81),
    ])
    func realNameLength(_ text: String, _ count: Int) {
        #expect(throws: IdentityFieldError.realNameLength(countFound: count)) { try RealName(text) }
    }

    @Test("names mixing scripts, with digits, stray dots or emoji are refused", arguments: [
        "张三3", "张三Tom", "·张三", "张三·", "买买提··艾力", "张😀", "Tom_Smith", "Иван", "张 三",
    ])
    func realNameCharacters(_ text: String) {
        #expect(throws: IdentityFieldError.realNameCharacters) { try RealName(text) }
    }

    @Test("a name shows its surname and hides the rest", arguments: [
        ("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧阳**"), ("欧阳修", "欧阳*"), ("欧阳", "欧*"),
        ("买买提·艾力", "买**·**"), ("Tom Smith", "T** S****"),
    ])
    func maskedRealName(_ text: String, _ masked: String) throws {
        let name = try RealName(text)
        #expect(name.masked == masked)
        #expect(name.description == masked)
    }

    @Test("each refusal names its field and never repeats the input")
    func errorMessages() {
        #expect(IdentityFieldError.phoneFormat.field == "phone")
        #expect(IdentityFieldError.idNumberChecksum.field == "idNumber")
        #expect(IdentityFieldError.realNameCharacters.field == "realName")
        #expect(IdentityFieldError.idNumberLength(countFound: 17).description == "must be 18 characters, got 17")
        #expect(IdentityFieldError.realNameLength(countFound: 1).description == "must be 2 to 20 characters, got 1")
    }
}
