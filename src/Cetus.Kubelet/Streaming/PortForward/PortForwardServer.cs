using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Cetus.Kubelet.Streaming.Spdy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Streaming.PortForward;

/// <summary>Optional details of a port-forward session.</summary>
/// <param name="PodName">Named in error messages, as the kubelet does ("error forwarding port 80 to pod web, uid …").</param>
/// <param name="PodUid">The pod's uid, for the same messages.</param>
/// <param name="StreamCreationTimeout">How long the second stream of a pair may take (the kubelet's default: 30 s).</param>
/// <param name="CloseGracePeriod">After one direction of a forward ends, how long the other may still run (containerd: 1 s).</param>
/// <param name="Time">The clock of both timeouts.</param>
public sealed record PortForwardOptions(
    string? PodName = null,
    string? PodUid = null,
    TimeSpan? StreamCreationTimeout = null,
    TimeSpan? CloseGracePeriod = null,
    TimeProvider? Time = null);

/// <summary>
/// Serves one kubectl port-forward session (protocol portforward.k8s.io over SPDY/3.1) as the kubelet does
/// (pkg/kubelet/cri/streaming/portforward/httpstream.go): each forwarded connection is a pair of streams with the
/// same <c>requestID</c> header — <c>streamType: error</c> and <c>streamType: data</c>, both with a <c>port</c> header.
/// Each valid stream gets a SYN_REPLY; a stream with a missing or invalid header is reset and the session goes on.
/// When a pair is complete the backend connection is opened and bytes are pumped both ways; a failure is written to
/// the error stream in the kubelet's words. Pairs run in parallel.
/// </summary>
public static class PortForwardServer
{
    private const string PortHeader = "port";
    private const string StreamTypeHeader = "streamType";
    private const string RequestIdHeader = "requestID";
    private const string StreamTypeError = "error";
    private const string StreamTypeData = "data";

    /// <summary>
    /// Serves the SPDY session on <paramref name="transport"/> (server role) until the client closes it, sends GOAWAY,
    /// or <paramref name="cancellationToken"/> fires (all three return normally); every backend connection opened with
    /// <paramref name="connectToPort"/> is closed by then, and so is the transport.
    /// </summary>
    public static Task ServeAsync(Stream transport, Func<int, CancellationToken, Task<Stream>> connectToPort, ILogger? logger, CancellationToken cancellationToken) =>
        ServeAsync(transport, connectToPort, new PortForwardOptions(), logger, cancellationToken);

    /// <inheritdoc cref="ServeAsync(Stream, Func{int, CancellationToken, Task{Stream}}, ILogger?, CancellationToken)"/>
    public static async Task ServeAsync(Stream transport, Func<int, CancellationToken, Task<Stream>> connectToPort, PortForwardOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        var log = logger ?? NullLogger.Instance;
        var session = new SpdySession(transport, isServer: true, log).Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var context = new Context(connectToPort, options, log, stop.Token);
        try
        {
            while (await session.AcceptStreamAsync(stop.Token) is { } stream)
            {
                await context.AddStreamAsync(stream);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation ends the session like a client disconnect.
        }
        finally
        {
            // The session goes first: a forward stuck writing to a client that stopped reading is freed by it.
            await stop.CancelAsync();
            await session.DisposeAsync();
            await context.WaitAsync();
        }
    }

    /// <summary>The state of one session: pairs waiting for their second stream, and the running forwards.</summary>
    private sealed class Context(Func<int, CancellationToken, Task<Stream>> connectToPort, PortForwardOptions options, ILogger logger, CancellationToken stopping)
    {
        private readonly Dictionary<string, Pair> _pairs = [];
        private readonly List<Task> _tasks = [];
        private readonly TimeProvider _time = options.Time ?? TimeProvider.System;

        public async Task AddStreamAsync(SpdyStream stream)
        {
            if (Validate(stream.Headers) is { } problem)
            {
                // As the kubelet's stream handler: the stream is rejected with a reset, no reply.
                logger.LogWarning("Port-forward stream {Id} rejected: {Problem}", stream.Id, problem);
                await Quietly(() => stream.ResetAsync(SpdyRstStatus.Cancel, stopping));
                return;
            }
            try
            {
                await stream.ReplyAsync(SpdyHeaders.Empty, fin: false, stopping);
            }
            catch (IOException e)
            {
                logger.LogDebug("Port-forward: could not answer stream {Id}: {Error}", stream.Id, e.Message);
                return;
            }

            var requestId = RequestId(stream);
            Pair? complete = null;
            SpdyStream? pairError = null;
            string? duplicate;
            lock (_pairs)
            {
                if (!_pairs.TryGetValue(requestId, out var pair))
                {
                    pair = new Pair(requestId);
                    _pairs[requestId] = pair;
                    Track(TimeOutAsync(pair));
                }
                duplicate = pair.Add(stream);
                pairError = pair.Error;
                if (duplicate is null && pair.IsComplete)
                {
                    _pairs.Remove(requestId);
                    complete = pair;
                }
            }
            if (duplicate is not null)
            {
                // The kubelet writes this to the pair's error stream; the stray stream is reset here as well.
                var message = $"error processing stream for request {requestId}: {duplicate}";
                logger.LogWarning("Port-forward: {Message}", message);
                await Quietly(() => stream.ResetAsync(SpdyRstStatus.Cancel, stopping));
                if (pairError is not null && pairError != stream)
                {
                    await WriteQuietlyAsync(pairError, message);
                }
            }
            else if (complete is not null)
            {
                complete.Completed.TrySetResult();
                Track(ForwardAsync(complete));
            }
        }

        public async Task WaitAsync()
        {
            Task[] tasks;
            lock (_tasks)
            {
                tasks = [.. _tasks];
            }
            await Task.WhenAll(tasks);
            List<Pair> waiting;
            lock (_pairs)
            {
                waiting = [.. _pairs.Values];
                _pairs.Clear();
            }
            foreach (var pair in waiting)
            {
                await pair.DisposeAsync();
            }
        }

        private async Task ForwardAsync(Pair pair)
        {
            var data = pair.Data!;
            var error = pair.Error!;
            var port = int.Parse(data.Headers.Get(PortHeader)!, CultureInfo.InvariantCulture);
            try
            {
                Stream backend;
                try
                {
                    backend = await connectToPort(port, stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    await ReportAsync(error, port, e);
                    return;
                }
                await using (backend)
                {
                    if (await PumpAsync(data, backend) is { } failure)
                    {
                        await ReportAsync(error, port, failure);
                    }
                }
            }
            catch (Exception e)
            {
                // A backend stream may throw anything; one forward's failure never ends the session.
                logger.LogDebug("Port-forward to port {Port} ended: {Error}", port, e.Message);
            }
            finally
            {
                await pair.DisposeAsync();
            }
        }

        /// <summary>
        /// Copies both ways. When one direction ends, the other gets <see cref="PortForwardOptions.CloseGracePeriod"/>
        /// to finish (as containerd's port forward does); the client's FIN is passed on as a half-close of a socket
        /// backend so a server that answers at end of input can still answer. Returns the first copy error, if any.
        /// </summary>
        private async Task<Exception?> PumpAsync(SpdyStream data, Stream backend)
        {
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var toBackend = CopyAsync(data, backend, () => HalfClose(backend), abort.Token);
            var toClient = CopyAsync(backend, data, () => data.CloseWriteAsync(abort.Token), abort.Token);
            var first = await Task.WhenAny(toBackend, toClient);
            var failure = await first;
            var other = first == toBackend ? toClient : toBackend;
            var grace = options.CloseGracePeriod ?? TimeSpan.FromSeconds(1);
            try
            {
                await other.WaitAsync(grace, _time, stopping);
            }
            catch (TimeoutException)
            {
                logger.LogDebug("Port-forward: the other direction did not end within {Grace}", grace);
            }
            await abort.CancelAsync();
            var second = await other;
            if (data.ResetStatus is not null)
            {
                // The client reset the data stream (only it does here); kubectl was seen doing so after the pod's side
                // had ended. Nobody is left to read a report, and one on the error stream would make kubectl end the
                // whole port-forward ("lost connection to pod").
                return null;
            }

            return stopping.IsCancellationRequested ? null : failure ?? second;
        }

        private static async Task<Exception?> CopyAsync(Stream from, Stream to, Func<Task> finished, CancellationToken cancellationToken)
        {
            try
            {
                await from.CopyToAsync(to, 32 * 1024, cancellationToken);
                await finished();
                return null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }

        private static Task HalfClose(Stream backend)
        {
            if (backend is NetworkStream { Socket.Connected: true } network)
            {
                try
                {
                    network.Socket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                    // Already gone; the copy the other way reports it.
                }
            }
            return Task.CompletedTask;
        }

        private async Task ReportAsync(SpdyStream error, int port, Exception failure)
        {
            var message = $"error forwarding port {port} to pod {options.PodName}, uid {options.PodUid}: {failure.Message}";
            logger.LogWarning("Port-forward: {Message}", message);
            await WriteQuietlyAsync(error, message);
        }

        private Task WriteQuietlyAsync(SpdyStream stream, string message) =>
            Quietly(() => stream.WriteAsync(Encoding.UTF8.GetBytes(message), stopping).AsTask());

        private async Task TimeOutAsync(Pair pair)
        {
            var timeout = options.StreamCreationTimeout ?? TimeSpan.FromSeconds(30);
            try
            {
                await pair.Completed.Task.WaitAsync(timeout, _time, stopping);
                return;
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_pairs)
            {
                if (!_pairs.Remove(pair.RequestId))
                {
                    return;
                }
            }
            var message = $"(request={pair.RequestId}) timed out waiting for streams";
            logger.LogWarning("Port-forward: {Message}", message);
            if (pair.Error is { } error)
            {
                await WriteQuietlyAsync(error, message);
            }
            await pair.DisposeAsync();
        }

        private void Track(Task task)
        {
            lock (_tasks)
            {
                _tasks.RemoveAll(t => t.IsCompleted);
                _tasks.Add(task);
            }
        }

        private async Task Quietly(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception e)
            {
                logger.LogDebug("Port-forward: {Error}", e.Message);
            }
        }
    }

    /// <summary>The kubelet's header checks (httpStreamReceived): a valid port and a known stream type.</summary>
    internal static string? Validate(SpdyHeaders headers)
    {
        var port = headers.Get(PortHeader);
        if (string.IsNullOrEmpty(port))
        {
            return $"\"{PortHeader}\" header is required";
        }
        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return $"unable to parse \"{port}\" as a port";
        }
        if (number < 1)
        {
            return $"port \"{port}\" must be > 0";
        }
        var type = headers.Get(StreamTypeHeader);
        if (string.IsNullOrEmpty(type))
        {
            return $"\"{StreamTypeHeader}\" header is required";
        }
        return type is StreamTypeError or StreamTypeData ? null : $"invalid stream type \"{type}\"";
    }

    /// <summary>
    /// The pair a stream belongs to: its requestID header, or — for clients older than that header — the error
    /// stream's id, which the data stream that follows it has plus two (the kubelet's best effort).
    /// </summary>
    private static string RequestId(SpdyStream stream)
    {
        if (stream.Headers.Get(RequestIdHeader) is { Length: > 0 } id)
        {
            return id;
        }
        var offset = stream.Headers.Get(StreamTypeHeader) == StreamTypeData ? 2 : 0;
        return ((long)stream.Id - offset).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The error and data streams of one forwarded connection.</summary>
    private sealed class Pair(string requestId) : IAsyncDisposable
    {
        public string RequestId { get; } = requestId;

        public SpdyStream? Error { get; private set; }

        public SpdyStream? Data { get; private set; }

        public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsComplete => Error is not null && Data is not null;

        /// <summary>Adds the stream; the kubelet's error text when the pair already has one of its type.</summary>
        public string? Add(SpdyStream stream)
        {
            if (stream.Headers.Get(StreamTypeHeader) == StreamTypeError)
            {
                if (Error is not null)
                {
                    return "error stream already assigned";
                }
                Error = stream;
            }
            else
            {
                if (Data is not null)
                {
                    return "data stream already assigned";
                }
                Data = stream;
            }
            return null;
        }

        /// <summary>Half-closes both streams (the kubelet's deferred Close calls) and stops reading them.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Data is not null)
            {
                await Data.DisposeAsync();
            }
            if (Error is not null)
            {
                await Error.DisposeAsync();
            }
        }
    }
}
