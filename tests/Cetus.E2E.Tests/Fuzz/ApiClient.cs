using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Testing;
using k8s;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>What came back for one request: a status code, or a transport failure (dropped connection, reset stream, no answer).</summary>
/// <remarks>A watch's stream is not read (<see cref="Streamed"/>); a HEAD answer has no body to read (<see cref="Head"/>).</remarks>
public sealed record ApiResponse(int Code, string? ContentType, long? ContentLength, byte[] Body, bool Streamed, string? TransportError)
{
    public bool Head { get; init; }

    public static ApiResponse Failed(string error) => new(0, null, null, [], false, error);

    public string BodyText => Encoding.UTF8.GetString(Body);

    public override string ToString() => TransportError is not null
        ? $"transport failure: {TransportError}"
        : $"{Code} {ContentType} {(Streamed ? "(stream, not read)" : Shorten(BodyText, 400))}";

    public static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + $"… ({text.Length} chars)";
}

/// <summary>
/// A raw HTTP client for the API server, authenticated with the admin client certificate of the server's kubeconfig:
/// paths are sent exactly as given (no dot-segment removal, no unescaping), any method, any Content-Type, any body.
/// Responses without a Content-Length (watch streams) are not read.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(20);
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    private const int EarlyAnswerBodyBytes = 1024 * 1024;

    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;
    private readonly string _address;
    private readonly Version _version;

    private readonly string? _bearerToken;

    /// <summary>A client acting as the admin (its client certificate), or with <paramref name="bearerToken"/>, or as nobody at all (<paramref name="anonymous"/>).</summary>
    public ApiClient(CetusServerProcess server, Version version, string? bearerToken = null, bool anonymous = false)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig);
        var certificates = new X509CertificateCollection();
        if (bearerToken is null && !anonymous)
        {
            certificates.Add(X509Certificate2.CreateFromPem(Pem(config.ClientCertificateData), Pem(config.ClientCertificateKeyData)));
        }

        _bearerToken = bearerToken;
        var trust = config.SslCaCerts ?? throw new InvalidOperationException("the kubeconfig has no certificate-authority-data");
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 1024,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificates,
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && Trusted(presented, trust),
            },
        };
        _http = new HttpClient(_handler) { Timeout = Timeout.InfiniteTimeSpan };
        _address = server.Address;
        _version = version;
    }

    public void Dispose() => _http.Dispose();

    public async Task<ApiResponse> SendAsync(FuzzRequest request)
    {
        if (_version == HttpVersion.Version11 && request.Body is { Length: > EarlyAnswerBodyBytes })
        {
            return await SendRawAsync(request);
        }

        var uri = new Uri(_address + request.Path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri)
        {
            Version = _version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request.Body is not null)
        {
            message.Content = request.Chunked ? new UnsizedContent(request.Body) : new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_bearerToken is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _bearerToken);
        }

        using var timeout = new CancellationTokenSource(request.Limit ?? RequestLimit);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            var length = response.Content.Headers.ContentLength;
            var contentType = response.Content.Headers.ContentType?.ToString();
            if (code == 200 && length is null && request.Method != "HEAD")
            {
                // A watch: it streams until its timeout; that it started is all there is to see.
                return new ApiResponse(code, contentType, null, [], true, null);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var body = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0 && body.Length < MaxBodyBytes)
            {
                body.Write(buffer, 0, read);
            }

            return new ApiResponse(code, contentType, length, body.ToArray(), false, null) { Head = request.Method == "HEAD" };
        }
        catch (HttpRequestException e)
        {
            return ApiResponse.Failed($"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
        }
        catch (IOException e)
        {
            return ApiResponse.Failed($"{e.GetType().Name}: {e.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return ApiResponse.Failed($"no answer in {(request.Limit ?? RequestLimit).TotalSeconds} s");
        }
    }

    /// <summary>
    /// HTTP/1.1 by hand for large bodies: a server may answer (413) and close before the body is sent, and
    /// HttpClient reports that as a failed write; here the answer is read while the body is written, as Go's client does.
    /// </summary>
    private async Task<ApiResponse> SendRawAsync(FuzzRequest request)
    {
        using var timeout = new CancellationTokenSource(request.Limit ?? RequestLimit);
        var address = new Uri(_address);
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = address.Host,
                    ClientCertificates = _handler.SslOptions.ClientCertificates,
                    RemoteCertificateValidationCallback = _handler.SslOptions.RemoteCertificateValidationCallback,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                },
                timeout.Token);
            var head = new StringBuilder($"{request.Method} {request.Path} HTTP/1.1\r\nHost: {address.Authority}\r\nAccept: application/json\r\nConnection: close\r\n");
            if (_bearerToken is not null)
            {
                head.Append($"Authorization: Bearer {_bearerToken}\r\n");
            }

            if (request.ContentType is not null)
            {
                head.Append($"Content-Type: {request.ContentType}\r\n");
            }

            head.Append(request.Chunked ? "Transfer-Encoding: chunked\r\n\r\n" : $"Content-Length: {request.Body!.Length}\r\n\r\n");
            var reading = ReadRawResponseAsync(tls, request.Method == "HEAD", timeout.Token);
            try
            {
                await tls.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);
                if (request.Chunked)
                {
                    foreach (var chunk in request.Body!.Chunk(64 * 1024))
                    {
                        await tls.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"), timeout.Token);
                        await tls.WriteAsync(chunk, timeout.Token);
                        await tls.WriteAsync("\r\n"u8.ToArray(), timeout.Token);
                    }

                    await tls.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
                }
                else
                {
                    await tls.WriteAsync(request.Body, timeout.Token);
                }

                await tls.FlushAsync(timeout.Token);
            }
            catch (IOException)
            {
                // The server stopped reading: what it answered before closing is what counts.
            }

            return await reading;
        }
        catch (IOException e)
        {
            return ApiResponse.Failed($"{e.GetType().Name}: {e.Message}");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return ApiResponse.Failed($"{e.GetType().Name}: {e.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return ApiResponse.Failed($"no answer in {(request.Limit ?? RequestLimit).TotalSeconds} s");
        }
    }

    private static async Task<ApiResponse> ReadRawResponseAsync(Stream stream, bool head, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var end = -1;
        while (end < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return ApiResponse.Failed($"the connection closed without an answer ({received.Length} bytes received)");
            }

            received.Write(buffer, 0, read);
            end = received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf("\r\n\r\n"u8);
        }

        var lines = Encoding.ASCII.GetString(received.GetBuffer(), 0, end).Split("\r\n");
        var code = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();
        long? length = long.TryParse(Header("Content-Length"), out var l) ? l : null;
        var body = new MemoryStream();
        body.Write(received.GetBuffer(), end + 4, (int)received.Length - end - 4);
        while (!head && (length is null || body.Length < length))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            body.Write(buffer, 0, read);
        }

        return new ApiResponse(code, Header("Content-Type"), length, body.ToArray(), false, null) { Head = head };
    }

    private static string Pem(string? base64) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(base64 ?? throw new InvalidOperationException("the kubeconfig has no client certificate")));

    private static bool Trusted(X509Certificate presented, X509Certificate2Collection trust)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(certificate);
    }
}

/// <summary>A body whose length is not announced, so it goes chunked.</summary>
internal sealed class UnsizedContent(byte[] body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
