# Origin: https://www.pythond.com/52081/como-procesar-la-forma-de-entrada-y-salida-para-keras-lstm.html
# (a Stack Overflow question, "How to process input and output shape for keras LSTM", as mirrored there;
#  the question's code, unchanged below this comment)
from sklearn.datasets import make_regression
from keras.models import Sequential
from keras.layers import Dense,Activation,LSTM

#creating sample dataset
X,Y=make_regression(100,9,9,2)
X.shape
Y.shape

#creating LSTM model
model = Sequential()
model.add(LSTM(32, input_dim=9))
model.add(Dense(2))
model.compile(loss='mean_squared_error', optimizer='adam')

#model fitting
model.fit(X, Y, nb_epoch=1, batch_size=32)
