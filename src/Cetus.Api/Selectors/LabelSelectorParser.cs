namespace Cetus.Api.Selectors;

/// <summary>
/// The recursive-descent parser of labels.Parse over the lexer's tokens, with its error messages. Where a value is
/// expected, <c>in</c> and <c>notin</c> are plain identifiers, so <c>in in (in)</c> is a valid selector.
/// </summary>
internal sealed class LabelSelectorParser
{
    // In upstream's order, for the "expected:" part of the message.
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly List<ScannedToken> _tokens;
    private int _position;

    private LabelSelectorParser(string selector) => _tokens = new LabelSelectorLexer(selector).ScanAll();

    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    /// <summary>The requirements of <paramref name="selector"/>, in the order written.</summary>
    /// <exception cref="SelectorException">The selector does not parse.</exception>
    public static List<LabelRequirement> Parse(string selector) => new LabelSelectorParser(selector).Parse();

    private List<LabelRequirement> Parse()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(Context.Values);
            switch (token)
            {
                case LabelToken.Identifier or LabelToken.DoesNotExist:
                    requirements.Add(ParseRequirementOrThrow());
                    var (next, nextLiteral) = Consume(Context.Values);
                    switch (next)
                    {
                        case LabelToken.EndOfString:
                            return requirements;
                        case LabelToken.Comma:
                            var (afterComma, afterCommaLiteral) = Lookahead(Context.Values);
                            if (afterComma is not (LabelToken.Identifier or LabelToken.DoesNotExist))
                            {
                                throw new SelectorException($"found '{afterCommaLiteral}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new SelectorException($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }

                    break;
                case LabelToken.EndOfString:
                    return requirements;
                default:
                    throw new SelectorException($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirementOrThrow()
    {
        try
        {
            return ParseRequirement();
        }
        catch (SelectorException error)
        {
            throw new SelectorException("unable to parse requirement: " + error.Message, error);
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var (key, inferred) = ParseKeyAndInferOperator();
        if (inferred is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
        {
            return LabelRequirement.Create(key, inferred.Value, []);
        }

        var op = ParseOperator();
        var values = op is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
        // Upstream collects values in a set and passes them sorted, so error indexes count in that order.
        return LabelRequirement.Create(key, op, values.Order(StringComparer.Ordinal));
    }

    private (string Key, SelectorOperator? Operator) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var (token, literal) = Consume(Context.Values);
        if (token == LabelToken.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (token, literal) = Consume(Context.Values);
        }

        if (token != LabelToken.Identifier)
        {
            throw new SelectorException($"found '{literal}', expected: identifier");
        }

        var keyErrors = LabelSyntax.KeyErrors(literal);
        if (keyErrors.Count > 0)
        {
            throw new SelectorException(GoErrorFormat.Invalid(GoErrorFormat.NilPath, GoErrorFormat.Quote(literal), string.Join("; ", keyErrors)));
        }

        if (Lookahead(Context.Values).Token is LabelToken.EndOfString or LabelToken.Comma && op is null)
        {
            op = SelectorOperator.Exists;
        }

        return (literal, op);
    }

    private SelectorOperator ParseOperator()
    {
        var (token, literal) = Consume(Context.KeyAndOperator);
        return token switch
        {
            LabelToken.In => SelectorOperator.In,
            LabelToken.Equal => SelectorOperator.Equal,
            LabelToken.DoubleEqual => SelectorOperator.DoubleEqual,
            LabelToken.GreaterThan => SelectorOperator.GreaterThan,
            LabelToken.LessThan => SelectorOperator.LessThan,
            LabelToken.NotIn => SelectorOperator.NotIn,
            LabelToken.NotEqual => SelectorOperator.NotEqual,
            _ => throw new SelectorException($"found '{literal}', expected: {BinaryOperators}"),
        };
    }

    private HashSet<string> ParseValues()
    {
        var (token, literal) = Consume(Context.Values);
        if (token != LabelToken.OpenParenthesis)
        {
            throw new SelectorException($"found '{literal}' expected: '('");
        }

        (token, literal) = Lookahead(Context.Values);
        switch (token)
        {
            case LabelToken.Identifier or LabelToken.Comma:
                var values = ParseIdentifierList();
                if (Consume(Context.Values).Token != LabelToken.ClosedParenthesis)
                {
                    // Upstream names the token that opened the list here, not the one it found.
                    throw new SelectorException($"found '{literal}', expected: ')'");
                }

                return values;
            case LabelToken.ClosedParenthesis:
                Consume(Context.Values);
                return new HashSet<string>(StringComparer.Ordinal) { string.Empty };
            default:
                throw new SelectorException($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    // A comma-separated list whose empty items are the empty value: "(,a)" and "(a,)" both hold "".
    private HashSet<string> ParseIdentifierList()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (token, literal) = Consume(Context.Values);
            switch (token)
            {
                case LabelToken.Identifier:
                    values.Add(literal);
                    var (next, nextLiteral) = Lookahead(Context.Values);
                    switch (next)
                    {
                        case LabelToken.Comma:
                            continue;
                        case LabelToken.ClosedParenthesis:
                            return values;
                        default:
                            throw new SelectorException($"found '{nextLiteral}', expected: ',' or ')'");
                    }

                case LabelToken.Comma:
                    if (values.Count == 0)
                    {
                        values.Add(string.Empty);
                    }

                    var afterComma = Lookahead(Context.Values).Token;
                    if (afterComma == LabelToken.ClosedParenthesis)
                    {
                        values.Add(string.Empty);
                        return values;
                    }

                    if (afterComma == LabelToken.Comma)
                    {
                        values.Add(string.Empty);
                    }

                    break;
                default:
                    throw new SelectorException($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private HashSet<string> ParseExactValue()
    {
        if (Lookahead(Context.Values).Token is LabelToken.EndOfString or LabelToken.Comma)
        {
            return new HashSet<string>(StringComparer.Ordinal) { string.Empty };
        }

        var (token, literal) = Consume(Context.Values);
        if (token == LabelToken.Identifier)
        {
            return new HashSet<string>(StringComparer.Ordinal) { literal };
        }

        throw new SelectorException($"found '{literal}', expected: identifier");
    }

    private ScannedToken Lookahead(Context context) => InContext(_tokens[_position], context);

    private ScannedToken Consume(Context context) => InContext(_tokens[_position++], context);

    private static ScannedToken InContext(ScannedToken scanned, Context context) =>
        context == Context.Values && scanned.Token is LabelToken.In or LabelToken.NotIn
            ? scanned with { Token = LabelToken.Identifier }
            : scanned;
}
