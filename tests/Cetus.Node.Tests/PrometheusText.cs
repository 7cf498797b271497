using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// A strict reader of Prometheus' text exposition format 0.0.4 for unlabelled samples: every sample's metric has a
/// HELP and a TYPE line before it, names and values are well formed, and a name appears once.
/// </summary>
internal static partial class PrometheusText
{
    public static Dictionary<string, double> Parse(string text)
    {
        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        var helped = new HashSet<string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (Help().Match(line) is { Success: true } help)
            {
                Assert.True(helped.Add(help.Groups[1].Value), $"second HELP: {line}");
            }
            else if (Type().Match(line) is { Success: true } type)
            {
                typed.Add(type.Groups[1].Value, type.Groups[2].Value);
            }
            else
            {
                var sample = Sample().Match(line);
                Assert.True(sample.Success, $"not a sample line: \"{line}\"");
                var name = sample.Groups[1].Value;
                Assert.True(typed.ContainsKey(name) && helped.Contains(name), $"{name} has no HELP and TYPE before it");
                samples.Add(name, double.Parse(sample.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }

        Assert.NotEmpty(samples);
        return samples;
    }

    [GeneratedRegex(@"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex Help();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex Type();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*) (-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|NaN|\+Inf|-Inf))$")]
    private static partial Regex Sample();
}
