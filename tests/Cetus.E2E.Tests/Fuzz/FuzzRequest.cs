using System.Text;
using System.Text.Json;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>One request of the fuzz corpus and what a Kubernetes API server must answer to it.</summary>
public sealed record FuzzRequest(string Name, string Method, string Path, string? ContentType, byte[]? Body, Expect Expect)
{
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>How long the answer may take; <see cref="ApiClient"/>'s default when null.</summary>
    public TimeSpan? Limit { get; init; }

    /// <summary>Send the body without a Content-Length (chunked, or a plain HTTP/2 stream).</summary>
    public bool Chunked { get; init; }

    public static FuzzRequest Text(string name, string method, string path, string? contentType, string? body, Expect expect) =>
        new(name, method, path, contentType, body is null ? null : Encoding.UTF8.GetBytes(body), expect);

    /// <summary>What to paste into a bug report: method, path, headers and (the start of) the body.</summary>
    public string Reproduction()
    {
        var text = new StringBuilder($"{Method} {ApiResponse.Shorten(Path, 300)}");
        if (ContentType is not null)
        {
            text.Append($"\n  Content-Type: {ApiResponse.Shorten(ContentType, 200)}");
        }

        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            text.Append($"\n  {name}: {ApiResponse.Shorten(value, 100)}");
        }

        if (Body is not null)
        {
            text.Append($"\n  body ({Body.Length} bytes): {ApiResponse.Shorten(Encoding.UTF8.GetString(Body), 300)}");
        }

        return text.ToString();
    }
}

/// <summary>
/// The answer a request must get. A client error must be a 4xx carrying a JSON <c>kind: Status</c> body whose code
/// is the HTTP status; a success is allowed only where Kubernetes itself answers one (an ignored query parameter, a
/// dry run of a body that is odd but valid); a 5xx, a dropped connection or no answer is always wrong.
/// </summary>
public sealed class Expect
{
    private readonly Func<ApiResponse, string?> _check;

    private Expect(string description, Func<ApiResponse, string?> check)
    {
        Description = description;
        _check = check;
    }

    public string Description { get; }

    /// <summary>Any 4xx with a Status.</summary>
    public static Expect ClientError { get; } = new("a 4xx Status", r => r.Code is >= 400 and < 500 ? StatusProblem(r) : $"expected a 4xx Status, got {r.Code}");

    /// <summary>Exactly <paramref name="code"/> (a 4xx with a Status, or a 2xx with a JSON body).</summary>
    public static Expect Code(int code) => new($"{code}", r => r.Code == code ? BodyProblem(r) : $"expected {code}, got {r.Code}");

    /// <summary>A 4xx Status, or one of <paramref name="successes"/> (the request is odd, but Kubernetes may accept it).</summary>
    public static Expect ClientErrorOr(params int[] successes) => new(
        $"a 4xx Status or {string.Join("/", successes)}",
        r => r.Code is >= 400 and < 500 || successes.Contains(r.Code) ? BodyProblem(r) : $"expected a 4xx Status or {string.Join("/", successes)}, got {r.Code}");

    /// <summary>A 4xx Status, or a watch stream that starts (200 without a Content-Length).</summary>
    public static Expect ClientErrorOrWatch { get; } = new(
        "a 4xx Status or a watch stream",
        r => r.Code is >= 400 and < 500 ? StatusProblem(r) : r is { Code: 200, Streamed: true } ? null : $"expected a 4xx Status or a watch stream, got {r.Code}{(r.Streamed ? string.Empty : " (not a stream)")}");

    /// <summary>A watch stream (200 without a Content-Length), not a list.</summary>
    public static Expect WatchStream { get; } = new("a watch stream", r => r is { Code: 200, Streamed: true } ? null : $"expected a watch stream, got {r.Code}{(r.Streamed ? string.Empty : " with a Content-Length (a list, not a watch)")}");

    /// <summary>A custom rule; <paramref name="check"/> returns what is wrong, or null.</summary>
    public static Expect That(string description, Func<ApiResponse, string?> check) => new(description, check);

    /// <summary>What is wrong with the response, or null when it is what Kubernetes answers.</summary>
    public string? Check(ApiResponse response)
    {
        if (response.TransportError is not null)
        {
            return $"expected {Description}, got a {response.TransportError}";
        }

        return response.Code >= 500 ? $"expected {Description}, got a server error {response.Code}" : _check(response);
    }

    /// <summary>What is wrong with a 4xx's Status body (HEAD responses carry none), or null.</summary>
    public static string? StatusProblem(ApiResponse response)
    {
        if (response.Head)
        {
            return null;
        }

        if (response.ContentType is null || !response.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return $"{response.Code} without a JSON Status (Content-Type {response.ContentType ?? "none"}, {response.Body.Length} bytes)";
        }

        try
        {
            using var json = JsonDocument.Parse(response.Body);
            var root = json.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Text("kind") != "Status" || Text("apiVersion") != "v1" || Text("status") != "Failure")
            {
                return $"{response.Code} with a body that is not a Failure Status: {ApiResponse.Shorten(response.BodyText, 200)}";
            }

            if (!root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != response.Code)
            {
                return $"{response.Code} with a Status whose code differs: {ApiResponse.Shorten(response.BodyText, 200)}";
            }

            if (string.IsNullOrEmpty(Text("reason")) || string.IsNullOrEmpty(Text("message")))
            {
                return $"{response.Code} with a Status without reason or message: {ApiResponse.Shorten(response.BodyText, 200)}";
            }

            return null;
        }
        catch (JsonException e)
        {
            return $"{response.Code} with a body that is not JSON ({e.Message}): {ApiResponse.Shorten(response.BodyText, 200)}";
        }
    }

    private static string? BodyProblem(ApiResponse response)
    {
        if (response.Code >= 400)
        {
            return StatusProblem(response);
        }

        if (response.Streamed || response.Head)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(response.Body);
            return json.RootElement.ValueKind == JsonValueKind.Object ? null : $"{response.Code} with a body that is not a JSON object";
        }
        catch (JsonException e)
        {
            return $"{response.Code} with a body that is not JSON ({e.Message})";
        }
    }

    public override string ToString() => Description;
}
