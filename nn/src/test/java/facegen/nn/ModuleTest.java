package facegen.nn;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The module tree: dotted names, order, seeded initialisation, copies, freezing, modes. */
class ModuleTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** A leaf module with one weight, one bias and one buffer. */
    static final class Leaf extends Module {
        final Parameter weight = parameter("weight", new Init.Normal(1), 2, 3);
        final Parameter bias = parameter("bias", new Init.Constant(0.5), 2);
        final Buffer count = buffer("count", new Init.Constant(0), 1);
    }

    /** Two leaves, optionally a third declared between them. */
    static final class Tree extends Module {
        final Leaf first = child("first", new Leaf());
        final Leaf extra;
        final Leaf second;

        Tree(boolean withExtra) {
            extra = withExtra ? child("extra", new Leaf()) : null;
            second = child("second", new Leaf());
        }
    }

    @Test
    void namesAreDottedPathsInDeclarationOrder() {
        Tree t = new Tree(false);
        assertThat(t.namedParameters().keySet())
                .containsExactly("first.weight", "first.bias", "second.weight", "second.bias");
        assertThat(t.namedBuffers().keySet()).containsExactly("first.count", "second.count");
        assertThat(t.parameterCount()).isEqualTo(16);
    }

    @Test
    void sameSeedGivesIdenticalValuesAndAddingALayerReshufflesNothing() {
        Tree a = new Tree(false);
        Tree b = new Tree(false);
        Tree c = new Tree(true);
        a.initialize(backend, 7);
        b.initialize(backend, 7);
        c.initialize(backend, 7);
        assertThat(b.second.weight.value().toArray()).containsExactly(a.second.weight.value().toArray());
        assertThat(c.second.weight.value().toArray()).containsExactly(a.second.weight.value().toArray());
        assertThat(a.first.weight.value().toArray()).isNotEqualTo(a.second.weight.value().toArray());
        assertThat(a.first.bias.value().toArray()).containsExactly(0.5, 0.5);
    }

    @Test
    void differentSeedsGiveDifferentValues() {
        Tree a = new Tree(false);
        Tree b = new Tree(false);
        a.initialize(backend, 7);
        b.initialize(backend, 8);
        assertThat(b.first.weight.value().toArray()).isNotEqualTo(a.first.weight.value().toArray());
    }

    @Test
    void readingAnUninitialisedParameterNamesItAndTheFix() {
        assertThatThrownBy(() -> new Leaf().weight.value())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weight").hasMessageContaining("initialize");
    }

    @Test
    void copyFromSharesValuesButNotGradientSlots() {
        Tree source = new Tree(false);
        source.initialize(backend, 1);
        Tree copy = new Tree(false);
        copy.copyFrom(source);
        assertThat(copy.first.weight.value().toArray()).containsExactly(source.first.weight.value().toArray());
        assertThat(copy.first.weight.value()).isNotSameAs(source.first.weight.value());
        assertThat(copy.first.weight.value().requiresGrad()).isTrue();
        assertThatThrownBy(() -> copy.copyFrom(new Tree(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra.weight");
    }

    @Test
    void settingAWrongShapeFailsWithBothShapes() {
        Leaf leaf = new Leaf();
        assertThatThrownBy(() -> leaf.weight.set(Tensor.zeros(backend, 3, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
    }

    @Test
    void frozenParametersAreConstantLeaves() {
        Tree t = new Tree(false);
        t.initialize(backend, 3);
        t.requireGrad(false);
        assertThat(t.first.weight.value().requiresGrad()).isFalse();
        t.requireGrad(true);
        assertThat(t.first.weight.value().requiresGrad()).isTrue();
        assertThat(t.first.count.value().requiresGrad()).isFalse();
    }

    @Test
    void trainAndEvalReachEveryModule() {
        Tree t = new Tree(false);
        t.train(false);
        assertThat(t.second.isTraining()).isFalse();
        t.train(true);
        assertThat(t.first.isTraining()).isTrue();
    }

    @Test
    void duplicateAndDottedNamesAreRejected() {
        assertThatThrownBy(() -> new Module() {
            {
                parameter("w", new Init.Constant(0), 1);
                parameter("w", new Init.Constant(0), 1);
            }
        }).hasMessageContaining("already declares 'w'");
        assertThatThrownBy(() -> new Module() {
            {
                parameter("a.b", new Init.Constant(0), 1);
            }
        }).hasMessageContaining("dot-free");
    }

    @Test
    void seedDerivationIsStableAndNameSensitive() {
        Seed root = new Seed(123);
        assertThat(root.derive("mapping.fc0.weight")).isEqualTo(new Seed(123).derive("mapping.fc0.weight"));
        assertThat(root.derive("mapping.fc0.weight")).isNotEqualTo(root.derive("mapping.fc1.weight"));
        assertThat(root.derive(0)).isNotEqualTo(root.derive(1));
    }
}
