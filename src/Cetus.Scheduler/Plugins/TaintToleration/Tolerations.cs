using k8s.Models;

namespace Cetus.Scheduler.Plugins.TaintToleration;

/// <summary>Toleration matching (upstream v1helper.TolerationsTolerateTaint).</summary>
internal static class Tolerations
{
    /// <summary>True when one of the tolerations tolerates the taint.</summary>
    public static bool Tolerates(IList<V1Toleration>? tolerations, V1Taint taint) =>
        tolerations?.Any(t => Tolerates(t, taint)) == true;

    /// <summary>
    /// An empty effect matches every effect; operator Exists (or an empty key with Exists) matches any value;
    /// Equal (the default) needs the same value.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }

        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => !string.IsNullOrEmpty(toleration.Key) && (toleration.Value ?? string.Empty) == (taint.Value ?? string.Empty),
            _ => false,
        };
    }
}
