using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using k8s.Models;

namespace Cetus.Kubelet.Node;

/// <summary>What a real node reports about itself, read from the machine (as the kubelet's cadvisor-backed machine info).</summary>
/// <param name="Cpus">Logical CPUs.</param>
/// <param name="MemoryKi">MemTotal of /proc/meminfo, in KiB.</param>
/// <param name="EphemeralStorageBytes">The size of the filesystem holding the kubelet's root directory.</param>
/// <param name="KernelVersion">/proc/sys/kernel/osrelease.</param>
/// <param name="OSImage">PRETTY_NAME of /etc/os-release.</param>
/// <param name="MachineId">/etc/machine-id.</param>
/// <param name="BootId">/proc/sys/kernel/random/boot_id.</param>
/// <param name="Architecture">amd64, arm64, … (GOARCH names).</param>
public sealed record MachineFacts(int Cpus, long MemoryKi, long EphemeralStorageBytes, string KernelVersion, string OSImage, string MachineId, string BootId, string Architecture)
{
    /// <summary>The node's capacity: cpu, memory, ephemeral-storage and <paramref name="maxPods"/> pods.</summary>
    public Dictionary<string, ResourceQuantity> Capacity(int maxPods = MachineInfo.DefaultMaxPods) => new()
    {
        ["cpu"] = new(Cpus.ToString(CultureInfo.InvariantCulture)),
        ["memory"] = new(MemoryKi.ToString(CultureInfo.InvariantCulture) + "Ki"),
        ["ephemeral-storage"] = new(EphemeralStorageBytes.ToString(CultureInfo.InvariantCulture)),
        ["pods"] = new(maxPods.ToString(CultureInfo.InvariantCulture)),
    };
}

/// <summary>
/// Reads the node's facts and resource signals from Linux (/proc, /etc, statfs). The parsers are pure functions of a
/// file's text, so they are tested with sample contents; the readers only add the file reads.
/// </summary>
public static class MachineInfo
{
    /// <summary>The kubelet's default --max-pods.</summary>
    public const int DefaultMaxPods = 110;

    /// <summary>Reads the machine's facts; <paramref name="rootDir"/> is the kubelet's root directory (its filesystem is ephemeral-storage).</summary>
    public static MachineFacts Read(string rootDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDir);
        var meminfo = ParseMemInfo(ReadOr("/proc/meminfo", string.Empty));
        var (total, _) = FileSystemSpace(rootDir);
        return new MachineFacts(
            Environment.ProcessorCount,
            meminfo.TryGetValue("MemTotal", out var memTotal) ? memTotal : 0,
            total,
            ReadOr("/proc/sys/kernel/osrelease", Environment.OSVersion.Version.ToString()).Trim(),
            ParseOsRelease(ReadOr("/etc/os-release", ReadOr("/usr/lib/os-release", string.Empty))) ?? "Linux",
            ReadOr("/etc/machine-id", string.Empty).Trim(),
            ReadOr("/proc/sys/kernel/random/boot_id", string.Empty).Trim(),
            Architecture(RuntimeInformation.OSArchitecture));
    }

    /// <summary>The current resource signals of the machine (memory, the root directory's filesystem, process ids).</summary>
    public static ResourceSignals ReadSignals(string rootDir)
    {
        var meminfo = ParseMemInfo(ReadOr("/proc/meminfo", string.Empty));
        var (total, available) = FileSystemSpace(rootDir);
        long? pidMax = long.TryParse(ReadOr("/proc/sys/kernel/pid_max", string.Empty).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : null;
        return new ResourceSignals(
            meminfo.TryGetValue("MemTotal", out var memTotal) ? memTotal * 1024 : null,
            meminfo.TryGetValue("MemAvailable", out var memAvailable) ? memAvailable * 1024 : null,
            total > 0 ? total : null,
            total > 0 ? available : null,
            pidMax,
            pidMax is null ? null : CountProcesses());
    }

    /// <summary>/proc/meminfo → values in KiB by key ("MemTotal", "MemAvailable", …).</summary>
    public static Dictionary<string, long> ParseMemInfo(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            // "MemTotal:       16318496 kB": the unit is always kB (KiB) when present; HugePages_* counts have none.
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon].Trim()] = value;
            }
        }

        return values;
    }

    /// <summary>/etc/os-release → PRETTY_NAME (unquoted), or NAME when there is none; null when neither is there.</summary>
    public static string? ParseOsRelease(string text)
    {
        string? pretty = null, name = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || line.StartsWith('#'))
            {
                continue;
            }

            var value = Unquote(line[(eq + 1)..]);
            switch (line[..eq])
            {
                case "PRETTY_NAME":
                    pretty = value;
                    break;
                case "NAME":
                    name = value;
                    break;
            }
        }

        return !string.IsNullOrEmpty(pretty) ? pretty : !string.IsNullOrEmpty(name) ? name : null;
    }

    /// <summary>The Kubernetes (GOARCH) name of an architecture.</summary>
    public static string Architecture(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>The first IPv4 address of an up, non-loopback interface; 127.0.0.1 when there is none.</summary>
    public static string FirstHostIPv4()
    {
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                var address = nic.GetIPProperties().UnicastAddresses
                    .Select(a => a.Address)
                    .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
                if (address is not null)
                {
                    return address.ToString();
                }
            }
        }
        catch (NetworkInformationException)
        {
        }

        return "127.0.0.1";
    }

    /// <summary>
    /// The local address this host uses to reach <paramref name="server"/> (the route's source address, found by
    /// connecting a UDP socket, which sends nothing); null when there is no route or the name does not resolve.
    /// </summary>
    public static string? LocalAddressTowards(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            var host = server.IdnHost;
            var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (address is null)
            {
                return null;
            }

            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(address, server.Port > 0 ? server.Port : 443);
            return (socket.LocalEndPoint as IPEndPoint)?.Address.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static (long Total, long Available) FileSystemSpace(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var drive = new DriveInfo(Path.GetFullPath(path));
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (0, 0);
        }
    }

    private static long CountProcesses()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string Unquote(string value)
    {
        value = value.Trim();
        return value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;
    }

    private static string ReadOr(string path, string fallback)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }
}
