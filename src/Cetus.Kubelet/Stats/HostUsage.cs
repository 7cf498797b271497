using System.Globalization;
using Cetus.Kubelet.Node;

namespace Cetus.Kubelet.Stats;

/// <summary>Reads the text of the machine's /proc files; tests give fixed contents instead.</summary>
public interface IHostFiles
{
    /// <summary>The file's text, or null when it cannot be read.</summary>
    string? Read(string path);
}

/// <summary>The machine's own files.</summary>
public sealed class HostFiles : IHostFiles
{
    /// <summary>The one instance.</summary>
    public static HostFiles Instance { get; } = new();

    /// <inheritdoc/>
    public string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The machine's memory, as cadvisor reports the root container's: the working set is usage minus inactive file pages.</summary>
/// <param name="UsageBytes">Memory in use (MemTotal − MemFree), page cache included.</param>
/// <param name="WorkingSetBytes">Usage minus Inactive(file): what cannot be reclaimed at once.</param>
/// <param name="AvailableBytes">MemTotal minus the working set.</param>
public sealed record HostMemory(ulong UsageBytes, ulong WorkingSetBytes, ulong AvailableBytes);

/// <summary>
/// Parses the node's usage from /proc: cumulative CPU from the first line of /proc/stat (busy jiffies: everything but
/// idle and iowait, guest time being part of user already) and memory from /proc/meminfo. Pure functions of the text.
/// </summary>
public static class HostUsage
{
    /// <summary>Linux's USER_HZ: /proc/stat counts in hundredths of a second on every architecture Cetus runs on.</summary>
    public const long UserHz = 100;

    /// <summary>Cumulative busy CPU of all cores since boot in core-nanoseconds, or null when the text has no "cpu" line.</summary>
    public static ulong? ParseCpuNanoSeconds(string? procStat)
    {
        if (procStat is null)
        {
            return null;
        }

        foreach (var line in procStat.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5 || fields[0] != "cpu")
            {
                continue;
            }

            // user nice system idle iowait irq softirq steal guest guest_nice: guest and guest_nice are already in user and nice.
            ulong busy = 0;
            for (var i = 1; i < fields.Length && i <= 8; i++)
            {
                if (i is 4 or 5)
                {
                    continue;
                }

                if (!ulong.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var jiffies))
                {
                    return null;
                }

                busy += jiffies;
            }

            return busy * (ulong)(1_000_000_000 / UserHz);
        }

        return null;
    }

    /// <summary>The machine's memory from /proc/meminfo, or null when MemTotal or MemFree is missing.</summary>
    public static HostMemory? ParseMemory(string? meminfo)
    {
        if (meminfo is null)
        {
            return null;
        }

        var values = MachineInfo.ParseMemInfo(meminfo);
        if (!values.TryGetValue("MemTotal", out var totalKi) || !values.TryGetValue("MemFree", out var freeKi))
        {
            return null;
        }

        var total = (ulong)Math.Max(0, totalKi) * 1024;
        var usage = (ulong)Math.Max(0, totalKi - freeKi) * 1024;
        var inactiveFile = (ulong)Math.Max(0, values.GetValueOrDefault("Inactive(file)")) * 1024;
        var workingSet = usage > inactiveFile ? usage - inactiveFile : 0;
        return new HostMemory(usage, workingSet, total > workingSet ? total - workingSet : 0);
    }

    /// <summary>When the machine booted, from the btime line of /proc/stat (seconds since the epoch), or null.</summary>
    public static DateTime? ParseBootTime(string? procStat)
    {
        foreach (var line in (procStat ?? string.Empty).Split('\n'))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return DateTime.UnixEpoch.AddSeconds(seconds);
            }
        }

        return null;
    }
}
