using System.Text;

namespace Cetus.Kubelet.Env;

/// <summary>
/// Kubernetes' variable expansion (third_party/forked/golang/expansion): <c>$(VAR)</c> becomes VAR's value when VAR is
/// defined and stays as written when not; <c>$$</c> is a literal <c>$</c>; a <c>$</c> before anything else, or an
/// unterminated <c>$(</c>, stays as written. Used for env values, command, args and subPathExpr.
/// </summary>
public static class Expansion
{
    /// <summary>Expands <paramref name="input"/> with <paramref name="lookup"/> (null for an undefined variable).</summary>
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var result = new StringBuilder(input.Length);
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != '$' || cursor + 1 >= input.Length)
            {
                continue;
            }

            result.Append(input, checkpoint, cursor - checkpoint);
            var next = input[cursor + 1];
            if (next == '$')
            {
                result.Append('$');
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', cursor + 2);
                if (close < 0)
                {
                    // Unterminated: "$(" is kept and scanning continues after it.
                    result.Append("$(");
                }
                else
                {
                    var name = input[(cursor + 2)..close];
                    result.Append(lookup(name) ?? $"$({name})");
                    cursor = close - 1;
                }
            }
            else
            {
                result.Append('$').Append(next);
            }

            cursor++;
            checkpoint = cursor + 1;
        }

        return result.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }
}
