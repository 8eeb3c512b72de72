@testable import Archive
import Engine
import PostgresNIO
import Testing

@Suite("Archive schema migrations")
struct MigrationTests {
    @Test("an empty database gets every version, recorded in schema_migrations; a second run applies nothing")
    func fromEmptyDatabase() async throws {
        try await withArchiveDatabase { database in
            let first = try await database.migrate()
            #expect(first.previousVersion == 0)
            #expect(first.appliedVersions == ArchiveMigrations.all.map(\.version))
            #expect(first.currentVersion == ArchiveMigrations.latestVersion)
            let again = try await database.migrate()
            #expect(again.appliedVersions.isEmpty)
            #expect(again.currentVersion == ArchiveMigrations.latestVersion)
            #expect(try await database.int("SELECT count(*) FROM schema_migrations") == Int64(ArchiveMigrations.all.count))
            #expect(try await database.int("SELECT count(*) FROM schema_migrations WHERE name = 'foundation' AND applied_at <= now()") == 1)
            for table in ArchiveMigrations.dataTables + ["archive_checkpoint"] {
                #expect(try await database.int("SELECT count(*) FROM pg_tables WHERE tablename = \(table)") == 1, "\(table)")
            }
            #expect(try await database.checkpoint() == 0)
        }
    }

    @Test("servers migrating at the same moment apply each version exactly once")
    func concurrentMigrators() async throws {
        try await withArchiveDatabase { database in
            let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
                for _ in 0..<3 { group.addTask { try await database.migrate() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.flatMap(\.appliedVersions).sorted() == ArchiveMigrations.all.map(\.version))
            #expect(try await database.int("SELECT count(*) FROM schema_migrations") == Int64(ArchiveMigrations.all.count))
        }
    }

    @Test("a database migrated by a newer build is refused, by migrate and by the archiver, and left untouched")
    func refusesNewerSchema() async throws {
        try await withArchiveDatabase { database in
            _ = try await database.migrate()
            let future = ArchiveMigrations.latestVersion + 1
            try await database.client.query("INSERT INTO schema_migrations (version, name) VALUES (\(Int32(future)), 'from the future')")
            let refusal = ArchiveError.schemaNewerThanBinary(found: future, known: ArchiveMigrations.latestVersion)
            await #expect(throws: refusal) { try await database.migrate() }
            #expect(refusal.description.contains("version \(future)") && refusal.description.contains("upgrade"))

            let data = TestDataDirectory()
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory, durableLSN: { 0 },
                                    configuration: database.configuration, logger: quietLogger)
            await #expect(throws: refusal) { try await archiver.catchUp() }
            #expect(await archiver.status().lastError?.contains("\(future)") == true)
            #expect(try await database.int("SELECT max(version) FROM schema_migrations") == Int64(future))
        }
    }
}
