# Origin: https://github.com/SevenXue/DL-TensorFlow/blob/7248862e710a7f42fe51693bff2d6db8e916f731/keras_ln/models/functional/func.py
# (the Keras 2 guide's multi-input, multi-output model; unchanged below this comment)
from keras.layers import Input, Embedding, LSTM, Dense
from keras.models import Model
import keras
from keras.utils import plot_model

#lstm
main_input = Input(shape=(100,), dtype='int32', name='main_input')

x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)

lstm_out = LSTM(32)(x)

auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)

#将lstm与其他层连接起来
auxiliary_input = Input(shape=(5,), name='aux_input')
x = keras.layers.concatenate([lstm_out, auxiliary_input])

x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)

main_output = Dense(1, activation='sigmoid', name='main_output')(x)

model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
model.compile(optimizer='rmsprop', loss='binary_crossentropy',
              loss_weights=[1., 0.2])

plot_model(model, to_file='view/func.png', show_shapes=True, show_layer_names=True)
