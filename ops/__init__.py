"""Operations: what an operator runs and reads to know bob is well (doctor, health, metrics,
structured logs). It sits beside the composition root and reads the other layers."""
