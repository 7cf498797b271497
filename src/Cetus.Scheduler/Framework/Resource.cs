using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>
/// Amounts of the resources the scheduler counts: milli-CPU, bytes of memory and ephemeral storage, a pod count and
/// extended (scalar) resources by name. Mutable: the cache adds and subtracts pods' requests in place.
/// </summary>
internal sealed class Resource
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";

    /// <summary>The CPU a container without a CPU request counts as when scoring (upstream DefaultMilliCPURequest).</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>The memory a container without a memory request counts as when scoring (200 MiB).</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public long MilliCpu { get; set; }

    public long MemoryBytes { get; set; }

    public long EphemeralBytes { get; set; }

    public long AllowedPodNumber { get; set; }

    private static readonly Dictionary<string, long> NoScalars = new(StringComparer.Ordinal);

    // Most pods and nodes have no extended resources: the map is made when the first one is set (a cycle computes a
    // few Resources per pod). Read here as the map itself, whose enumerator is a struct, not through Scalar.
    private Dictionary<string, long>? _scalar;

    /// <summary>The extended resources, by name.</summary>
    public IReadOnlyDictionary<string, long> Scalar => _scalar ?? NoScalars;

    public bool IsZero
    {
        get
        {
            if (MilliCpu != 0 || MemoryBytes != 0 || EphemeralBytes != 0)
            {
                return false;
            }

            foreach (var value in (_scalar ?? NoScalars).Values)
            {
                if (value != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Reads a resource list (capacity, allocatable, requests).</summary>
    public static Resource From(IDictionary<string, ResourceQuantity>? list)
    {
        var r = new Resource();
        if (list is null)
        {
            return r;
        }

        foreach (var (name, quantity) in list)
        {
            r.Set(name, ValueOf(name, quantity));
        }

        return r;
    }

    /// <summary>The amount of a named resource, in the unit the scheduler counts it in.</summary>
    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        Memory => MemoryBytes,
        EphemeralStorage => EphemeralBytes,
        Pods => AllowedPodNumber,
        _ => Scalar.GetValueOrDefault(name),
    };

    public void Set(string name, long value)
    {
        switch (name)
        {
            case Cpu: MilliCpu = value; break;
            case Memory: MemoryBytes = value; break;
            case EphemeralStorage: EphemeralBytes = value; break;
            case Pods: AllowedPodNumber = value; break;
            default: SetScalar(name, value); break;
        }
    }

    public void Add(Resource other)
    {
        MilliCpu += other.MilliCpu;
        MemoryBytes += other.MemoryBytes;
        EphemeralBytes += other.EphemeralBytes;
        AllowedPodNumber += other.AllowedPodNumber;
        foreach (var (name, value) in other._scalar ?? NoScalars)
        {
            SetScalar(name, Scalar.GetValueOrDefault(name) + value);
        }
    }

    public void Subtract(Resource other)
    {
        MilliCpu -= other.MilliCpu;
        MemoryBytes -= other.MemoryBytes;
        EphemeralBytes -= other.EphemeralBytes;
        AllowedPodNumber -= other.AllowedPodNumber;
        foreach (var (name, value) in other._scalar ?? NoScalars)
        {
            SetScalar(name, Scalar.GetValueOrDefault(name) - value);
        }
    }

    /// <summary>Raises each resource to at least the other's amount.</summary>
    public void SetMax(Resource other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        MemoryBytes = Math.Max(MemoryBytes, other.MemoryBytes);
        EphemeralBytes = Math.Max(EphemeralBytes, other.EphemeralBytes);
        AllowedPodNumber = Math.Max(AllowedPodNumber, other.AllowedPodNumber);
        foreach (var (name, value) in other._scalar ?? NoScalars)
        {
            SetScalar(name, Math.Max(Scalar.GetValueOrDefault(name), value));
        }
    }

    public Resource Clone()
    {
        var r = new Resource { MilliCpu = MilliCpu, MemoryBytes = MemoryBytes, EphemeralBytes = EphemeralBytes, AllowedPodNumber = AllowedPodNumber };
        if (_scalar is not null)
        {
            r._scalar = new Dictionary<string, long>(_scalar, StringComparer.Ordinal);
        }

        return r;
    }

    private void SetScalar(string name, long value) => (_scalar ??= new(StringComparer.Ordinal))[name] = value;

    private static long ValueOf(string name, ResourceQuantity quantity)
    {
        var value = quantity.ToDecimal();
        return name == Cpu ? (long)Math.Ceiling(value * 1000) : (long)Math.Ceiling(value);
    }
}
