using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Cetus.Kubelet.Logs;

/// <summary>
/// What to read of a container's log (Kubernetes' v1.PodLogOptions as the kubelet turns it into its CRI LogOptions):
/// sinceSeconds is already made absolute in <see cref="SinceTime"/>.
/// </summary>
public sealed record PodLogOptions
{
    /// <summary>Keep the stream open and write new lines until the container stops.</summary>
    public bool Follow { get; init; }

    /// <summary>Only the last N lines (null: all).</summary>
    public long? TailLines { get; init; }

    /// <summary>Stop after this many bytes of output (null: no limit).</summary>
    public long? LimitBytes { get; init; }

    /// <summary>Only lines logged at or after this instant (null: all).</summary>
    public DateTimeOffset? SinceTime { get; init; }

    /// <summary>Prefix each line with its timestamp (RFC3339 with 9 fraction digits) and a space.</summary>
    public bool Timestamps { get; init; }

    /// <summary>The previous terminated instance of the container rather than the current one.</summary>
    public bool Previous { get; init; }

    /// <summary>
    /// Reads the query string kubectl (through the API server) sends to the kubelet's /containerLogs:
    /// <c>follow</c>, <c>previous</c>, <c>timestamps</c>, <c>tailLines</c>, <c>limitBytes</c>, <c>sinceSeconds</c>
    /// (relative to <paramref name="time"/>'s now) and <c>sinceTime</c> (RFC 3339). Booleans as Kubernetes' query
    /// conversion reads them: "false" and "0" are false, any other value true. Invalid values give false and
    /// <paramref name="error"/> in the words of Kubernetes' ValidatePodLogOptions; never throws.
    /// </summary>
    public static bool TryParse(string? query, TimeProvider time, [NotNullWhen(true)] out PodLogOptions? options, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(time);
        options = null;
        var values = ParseQuery(query);
        var errors = new List<string>();
        var tail = Integer(values, "tailLines", errors);
        var limit = Integer(values, "limitBytes", errors);
        var sinceSeconds = Integer(values, "sinceSeconds", errors);
        DateTimeOffset? sinceTime = null;
        if (values.TryGetValue("sinceTime", out var sinceText) && sinceText.Length > 0)
        {
            if (LogTimestamp.TryParse(sinceText, out var parsed))
            {
                sinceTime = parsed.Time;
            }
            else
            {
                errors.Add($"sinceTime: Invalid value: \"{sinceText}\": must be a time in RFC 3339 format");
            }
        }

        if (tail < 0)
        {
            errors.Add($"tailLines: Invalid value: {tail}: must be greater than or equal to 0");
        }

        if (limit < 1)
        {
            errors.Add($"limitBytes: Invalid value: {limit}: must be greater than 0");
        }

        if (sinceSeconds is not null && sinceTime is not null)
        {
            errors.Add("Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
        }
        else if (sinceSeconds < 1)
        {
            errors.Add($"sinceSeconds: Invalid value: {sinceSeconds}: must be greater than 0");
        }

        if (errors.Count > 0)
        {
            error = "PodLogOptions is invalid: " + string.Join(", ", errors);
            return false;
        }

        if (sinceSeconds is { } seconds)
        {
            // A huge sinceSeconds reaches back before year 1: everything.
            var now = time.GetUtcNow();
            sinceTime = seconds >= (now - DateTimeOffset.MinValue).TotalSeconds ? DateTimeOffset.MinValue : now.AddSeconds(-seconds);
        }

        options = new PodLogOptions
        {
            Follow = Boolean(values, "follow"),
            Previous = Boolean(values, "previous"),
            Timestamps = Boolean(values, "timestamps"),
            TailLines = tail,
            LimitBytes = limit,
            SinceTime = sinceTime,
        };
        error = null;
        return true;
    }

    // The first value of each parameter, as Kubernetes' query conversion takes it.
    private static Dictionary<string, string> ParseQuery(string? query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (query ?? string.Empty).TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Unescape(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Unescape(pair[(equals + 1)..]);
            values.TryAdd(key, value);
        }

        return values;
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    private static bool Boolean(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && value != "0" && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static long? Integer(Dictionary<string, string> values, string name, List<string> errors)
    {
        if (!values.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{name}: Invalid value: \"{text}\": must be an integer");
        return null;
    }
}
