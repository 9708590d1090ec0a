# Origin: https://github.com/jkljklkjj/MachineLearn/blob/0dd977e0461616cdb0b39035d537491627ee5401/test.py
# (unchanged below this comment; the file has no import line, as in the repository)
window_size = 7
fea_num = 5
 
 
model = keras.models.Sequential([
    keras.layers.Input((window_size, fea_num)),
    keras.layers.Reshape((window_size, fea_num, 1)),
    keras.layers.Conv2D(filters=64,
                           kernel_size=3,
                           strides=1,
                           padding="same",
                           activation="relu"),
    keras.layers.MaxPooling2D(pool_size=2, strides=1, padding="same"),
    keras.layers.Dropout(0.3),
    keras.layers.Reshape((window_size, -1)),
    keras.layers.LSTM(128, return_sequences=True),
    keras.layers.LSTM(64, return_sequences=False),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1)
])
 
 
model.compile(loss='mse', optimizer='adam', metrics=['mse'])
model.summary()
