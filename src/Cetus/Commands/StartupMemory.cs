using System.Runtime;

namespace Cetus.Commands;

/// <summary>
/// Gives the memory of a process's start back to the system once it is up. Starting the control plane allocates
/// tens of megabytes that die at once (certificates, the bootstrap policy, informers' first lists, the OpenAPI
/// document's construction); left alone, the GC keeps that heap committed until enough later work triggers a full
/// collection, which on an idle node may be never. One compacting, decommitting collection after the start brings
/// the idle process down to what it actually holds.
/// </summary>
internal static class StartupMemory
{
    /// <summary>Collects everything, compacting the large-object heap too, and decommits what is free.</summary>
    public static void Release()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
