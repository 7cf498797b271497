namespace Cetus.Bench.Storage;

/// <summary>Prints figures as they are measured (progress for a person, lines to paste into docs/benchmarks.md).</summary>
internal sealed class Report
{
    public void Line(string text = "") => Console.WriteLine(text);

    public void Row(params string[] cells) => Console.WriteLine("| " + string.Join(" | ", cells) + " |");
}

/// <summary>Facts of the machine for the record.</summary>
internal static class Machine
{
    public static string Memory()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? "memory unknown" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024} GiB";
    }

    public static string Cpu() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "cpu unknown";
}
