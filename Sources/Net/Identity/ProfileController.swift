import Engine
import Hummingbird
import WeChat

/// The buyer's own account: profile, phone number, real-name check, addresses
/// and address parsing. Phone numbers, real names and ID numbers leave the
/// server masked only.
struct ProfileController {
    let engine: MallEngine
    let phoneNumbers: (any WeChatPhoneNumberClient)?

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("users/me", use: me)
        group.put("users/me/profile", use: updateProfile)
        group.post("users/me/phone", use: bindPhone)
        group.post("users/me/real-name", use: verifyRealName)
        group.get("users/me/addresses", use: addresses)
        group.post("users/me/addresses", use: addAddress)
        group.put("users/me/addresses/:id", use: updateAddress)
        group.delete("users/me/addresses/:id", use: deleteAddress)
        group.post("users/me/addresses/:id/default", use: setDefaultAddress)
        group.post("addresses/parse", use: parseAddress)
    }

    @Sendable func me(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProfileResponse> {
        let userID = try context.requireUserID()
        guard let (user, identity) = await engine.userIdentity(id: userID) else { throw APIError(.notFound, "user not found") }
        return Envelope(ProfileResponse(user, identity))
    }

    @Sendable func updateProfile(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProfileResponse> {
        let userID = try context.requireUserID()
        let input = try await RequestJSON.decode(ProfileUpdateRequest.self, from: request, context: context).validated()
        let identity = try await engine.updateProfile(userID: userID) { profile in
            if let nickname = input.nickname { profile.nickname = nickname }
            if let avatarURL = input.avatarURL { profile.avatarURL = avatarURL }
            if let gender = input.gender { profile.gender = gender }
        }
        guard let (user, _) = await engine.userIdentity(id: userID) else { throw APIError(.notFound, "user not found") }
        return Envelope(ProfileResponse(user, identity))
    }

    /// Binds the phone number WeChat vouches for (`getPhoneNumber`'s `code`).
    @Sendable func bindPhone(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProfileResponse> {
        let userID = try context.requireUserID()
        let code = try await RequestJSON.decode(WeChatLoginRequest.self, from: request, context: context).validated()
        let mobile = try await PhoneBinding.number(forCode: code, client: phoneNumbers)
        let identity = try await engine.updateProfile(userID: userID) { $0.phone = mobile.digits }
        guard let (user, _) = await engine.userIdentity(id: userID) else { throw APIError(.notFound, "user not found") }
        return Envelope(ProfileResponse(user, identity))
    }

    @Sendable func verifyRealName(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProfileResponse> {
        let userID = try context.requireUserID()
        let (name, number) = try await RequestJSON.decode(RealNameRequest.self, from: request, context: context).validated()
        let identity = try await engine.updateProfile(userID: userID) { profile in
            profile.maskedRealName = name.masked
            profile.maskedIDNumber = number.masked
        }
        guard let (user, _) = await engine.userIdentity(id: userID) else { throw APIError(.notFound, "user not found") }
        return Envelope(ProfileResponse(user, identity))
    }

    @Sendable func addresses(_ request: Request, context: MallRequestContext) async throws -> Envelope<AddressListResponse> {
        let userID = try context.requireUserID()
        guard let (_, identity) = await engine.userIdentity(id: userID) else { throw APIError(.notFound, "user not found") }
        return Envelope(AddressListResponse(identity.addresses))
    }

    @Sendable func addAddress(_ request: Request, context: MallRequestContext) async throws -> Envelope<AddressResponse> {
        let userID = try context.requireUserID()
        let input = try await RequestJSON.decode(AddressRequest.self, from: request, context: context).validated()
        return try await change(userID, .add(input), status: .created)
    }

    @Sendable func updateAddress(_ request: Request, context: MallRequestContext) async throws -> Envelope<AddressResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let input = try await RequestJSON.decode(AddressRequest.self, from: request, context: context).validated()
        return try await change(userID, .update(id: id, input))
    }

    @Sendable func setDefaultAddress(_ request: Request, context: MallRequestContext) async throws -> Envelope<AddressResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        return try await change(userID, .setDefault(id: id))
    }

    @Sendable func deleteAddress(_ request: Request, context: MallRequestContext) async throws -> Envelope<AddressListResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let (identity, _) = try await engine.changeAddresses(userID: userID, .delete(id: id))
        return Envelope(AddressListResponse(identity.addresses))
    }

    private func change(_ userID: UInt64, _ change: AddressBook.Change,
                        status: HTTPResponse.Status = .ok) async throws -> Envelope<AddressResponse> {
        let (_, address) = try await engine.changeAddresses(userID: userID, change)
        guard let address else { throw APIError(.notFound, "address not found") }
        return Envelope(AddressResponse(address), status: status)
    }

    @Sendable func parseAddress(_ request: Request, context: MallRequestContext) async throws -> Envelope<ParsedAddressResponse> {
        _ = try context.requireUserID()
        let input = try await RequestJSON.decode(AddressParseRequest.self, from: request, context: context).validated()
        return Envelope(ParsedAddressResponse(AddressParser.parse(input)))
    }
}

/// The mainland mobile number WeChat's phone-number API vouches for a code.
enum PhoneBinding {
    static func number(forCode code: String, client: (any WeChatPhoneNumberClient)?) async throws -> MainlandPhone {
        guard let client else {
            throw APIError(.unavailable, "phone numbers need MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET (or --sandbox)")
        }
        let phone: WeChatPhoneNumber
        do {
            phone = try await client.phoneNumber(forCode: code)
        } catch {
            throw APIError(error)
        }
        guard phone.countryCode == "86", let mobile = try? MainlandPhone(phone.purePhoneNumber) else {
            throw APIError(.conflict, "WeChat answered a number that is not a mainland mobile number; use another one")
        }
        return mobile
    }
}
