import ArgumentParser
import EventLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty log.")

    @OptionGroup var location: LogLocation

    func run() throws {
        do {
            try LogWriter.create(directory: location.log)
        } catch {
            throw fail(error)
        }
        print("created an empty log in \(location.log)")
    }
}
