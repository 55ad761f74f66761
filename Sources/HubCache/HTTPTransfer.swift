import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A finished HTTP exchange (headers with lower-cased names).
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var url: URL
    /// The body when it was not streamed to a file (capped at 1 MiB; used for error messages and JSON).
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One blocking HTTP request over `URLSession` (FoundationNetworking/libcurl on Linux), either kept
/// in memory or streamed into a file, optionally resuming at an offset.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Destination {
        var file: URL
        /// Bytes already present (sent as `Range: bytes=<offset>-`).
        var resumeOffset: Int64
    }

    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)
    private let followRedirects: Bool
    private let originalHost: String?
    private let destination: Destination?
    private let progress: DownloadProgress?

    private var response: HTTPURLResponse?
    private var failure: Error?
    private var sink: FileHandle?
    private var body = Data()
    private var written: Int64 = 0

    private init(request: URLRequest, followRedirects: Bool, destination: Destination?, progress: DownloadProgress?) {
        self.followRedirects = followRedirects
        self.originalHost = request.url?.host
        self.destination = destination
        self.progress = progress
    }

    /// Performs `request`. With `followRedirects == false` a 3xx answer is returned as is (to read
    /// its `Location` and the hub's headers). With a destination, a 200 body replaces the file and a
    /// 206 body is appended to it; other statuses keep the body in memory.
    static func perform(_ request: URLRequest, followRedirects: Bool, destination: Destination? = nil,
                        progress: DownloadProgress? = nil) throws -> HTTPResponse {
        var request = request
        if let d = destination, d.resumeOffset > 0 {
            request.setValue("bytes=\(d.resumeOffset)-", forHTTPHeaderField: "Range")
        }
        let transfer = HTTPTransfer(request: request, followRedirects: followRedirects,
                                    destination: destination, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 60
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        let task = session.dataTask(with: request)
        task.resume()
        transfer.finished.wait()
        session.finishTasksAndInvalidate()
        return try transfer.result(for: request)
    }

    private func result(for request: URLRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        try? sink?.close()
        let url = request.url?.absoluteString ?? "?"
        if let failure { throw HubError.network(url: url, message: failure.localizedDescription) }
        guard let response else { throw HubError.network(url: url, message: "no response") }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        return HTTPResponse(status: response.statusCode, headers: headers, url: response.url ?? request.url!, body: body)
    }

    // MARK: - URLSessionDataDelegate

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard followRedirects else { completionHandler(nil); return }
        var next = request
        // Like curl and requests: never send the hub token to another host (the CDN's signed URL).
        if next.url?.host != originalHost { next.setValue(nil, forHTTPHeaderField: "Authorization") }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard let http = response as? HTTPURLResponse else {
            failure = HubError.network(url: response.url?.absoluteString ?? "?", message: "not an HTTP response")
            completionHandler(.cancel)
            return
        }
        self.response = http
        body = Data()
        if let d = destination, http.statusCode == 200 || http.statusCode == 206 {
            do {
                let fm = FileManager.default
                if http.statusCode == 200 || !fm.fileExists(atPath: d.file.path) {
                    // A 200 answers a Range request with the whole file: start over.
                    _ = fm.createFile(atPath: d.file.path, contents: nil)
                    written = 0
                } else {
                    written = d.resumeOffset
                }
                let handle = try FileHandle(forWritingTo: d.file)
                try handle.truncate(atOffset: UInt64(written))
                try handle.seek(toOffset: UInt64(written))
                sink = handle
                let expected = http.expectedContentLength > 0 ? written + http.expectedContentLength : nil
                progress?.start(total: expected, already: written)
            } catch {
                failure = HubError.io(path: d.file.path, message: error.localizedDescription)
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        defer { lock.unlock() }
        if let sink {
            do {
                try sink.write(contentsOf: data)
                written += Int64(data.count)
                progress?.update(written)
            } catch {
                failure = HubError.io(path: destination?.file.path ?? "?", message: error.localizedDescription)
                dataTask.cancel()
            }
        } else if body.count < 1 << 20 {
            body.append(data)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if let error, failure == nil { failure = error }
        if sink != nil { progress?.finish() }
        lock.unlock()
        finished.signal()
    }
}
