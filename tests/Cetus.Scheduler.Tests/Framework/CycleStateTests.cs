using Cetus.Scheduler.Framework;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

public sealed class CycleStateTests
{
    [Fact]
    public void Read_FindsAKeyByValue_ReplacesIt_AndClonesApart()
    {
        var state = new CycleState();
        state.Write("PreFilterFit", "first");
        state.Write("Other", "other");

        // A key built at run time (not the same string object as the one written) still finds the value.
        var key = string.Concat("PreFilter", "Fit");
        Assert.Equal("first", state.Read<string>(key));
        state.Write(key, "second");
        Assert.Equal("second", state.Read<string>("PreFilterFit"));
        Assert.Null(state.Read<string>("Missing"));
        Assert.Null(state.Read<List<int>>("Other"));

        var clone = state.Clone();
        clone.Write("PreFilterFit", "changed in the clone");
        clone.Write("New", "only in the clone");
        Assert.Equal(("second", null), (state.Read<string>("PreFilterFit"), state.Read<string>("New")));
        Assert.Equal(("changed in the clone", "other"), (clone.Read<string>("PreFilterFit"), clone.Read<string>("Other")));
    }
}
