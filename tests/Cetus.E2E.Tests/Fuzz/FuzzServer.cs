namespace Cetus.E2E.Tests.Fuzz;

/// <summary>How the fuzz tests run a server.</summary>
internal static class FuzzServer
{
    /// <summary>
    /// The API server alone: the fuzz tests check that a hostile request stores nothing, and controllers acting on
    /// the seeded objects (a Deployment's pods and events) and the scheduler (pod conditions and events) would change the namespace between the snapshots.
    /// </summary>
    public static readonly IReadOnlyList<string> Arguments = ["--disable-controller-manager", "--disable-scheduler"];
}
