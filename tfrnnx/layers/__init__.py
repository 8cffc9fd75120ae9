"""Keras 3 layers of tfrnnx."""

from tfrnnx.layers.draw_glimpse import DrawGlimpse
from tfrnnx.layers.recurrent_dropout_lstm_cell import RecurrentDropoutLSTM
from tfrnnx.layers.recurrent_dropout_lstm_cell import RecurrentDropoutLSTMCell
from tfrnnx.layers.recurrent_dropout_rnn import RecurrentDropoutRNN
