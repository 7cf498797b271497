using Cetus.Testing;
using Xunit;

// One containerd per machine: every test class of this assembly shares it, one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Cetus.Node.Tests;

/// <summary>The machine's containerd, started (if it was not running) for the whole collection.</summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    /// <summary>The runtime.</summary>
    public Containerd Containerd { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Containerd = await Containerd.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync() => await Containerd.DisposeAsync();
}

/// <summary>The collection of tests that use the real containerd.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerdCollection : ICollectionFixture<ContainerdFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "containerd";
}
