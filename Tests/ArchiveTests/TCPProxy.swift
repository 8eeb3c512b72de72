import PostgresNIO // re-exports NIO
import Synchronization

/// A loopback TCP forwarder between the archiver and the test PostgreSQL, so a test can take the
/// database away (stop: the port refuses, open connections drop) and bring it back, without
/// stopping the server other tests share.
final class TCPProxy: Sendable {
    let targetHost: String
    let targetPort: Int
    private let group = MultiThreadedEventLoopGroup.singleton
    private let channels = Mutex<[any Channel]>([])
    private let listener = Mutex<(any Channel)?>(nil)

    init(targetHost: String, targetPort: Int) {
        (self.targetHost, self.targetPort) = (targetHost, targetPort)
    }

    /// Listens on `port` (0: any free port) and returns the port.
    func start(port: Int = 0) async throws -> Int {
        let (host, targetPort) = (targetHost, self.targetPort)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { [self] inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: host, port: targetPort).flatMapThrowing { outbound in
                    try outbound.pipeline.syncOperations.addHandler(ForwardHandler(partner: inbound))
                    try inbound.pipeline.syncOperations.addHandler(ForwardHandler(partner: outbound))
                    self.channels.withLock { $0 += [inbound, outbound] }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        listener.withLock { $0 = server }
        guard let bound = server.localAddress?.port else { throw ChannelError.inappropriateOperationForState }
        return bound
    }

    /// Stops listening and drops every forwarded connection.
    func stop() async {
        let server = listener.withLock { value -> (any Channel)? in defer { value = nil }; return value }
        try? await server?.close()
        let open = channels.withLock { value -> [any Channel] in defer { value = [] }; return value }
        for channel in open { try? await channel.close() }
    }
}

/// Writes what one side reads to the other; closing either side closes both.
private final class ForwardHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let partner: any Channel

    init(partner: any Channel) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    /// The accepted side reads nothing until its partner is connected (autoRead off); it becomes
    /// active only after the initializer, once registered.
    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
